#include "workloads/experiments/mpi_session.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#ifdef ACCSIM_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only
#include <mpi.h>
#endif

namespace accsim {

namespace {

#ifdef ACCSIM_WITH_MPI
std::mutex& mpi_mutex() {
  static std::mutex m;
  return m;
}
#endif

struct SessionState {
  bool started = false, stopped = false;
  int rank = 0, size = 1;
};

SessionState& state() {
  static SessionState s;
  return s;
}

// Variables that Open MPI's mpirun, MPICH's Hydra and Slurm's srun (PMI/PMIx) set: the
// world size, or this process's rank.
constexpr const char* kSizeVariables[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
constexpr const char* kRankVariables[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"};

long long variable(const char* name) {
  const char* text = std::getenv(name);
  return text ? std::atoll(text) : -1;
}

// Whether the launcher started other processes with this one (a size above 1 or a rank
// above 0 announced).
bool launched_with_others() {
  return std::any_of(std::begin(kSizeVariables), std::end(kSizeVariables), [](const char* v) { return variable(v) > 1; }) ||
         std::any_of(std::begin(kRankVariables), std::end(kRankVariables), [](const char* v) { return variable(v) > 0; });
}

#ifdef ACCSIM_WITH_MPI
void check(int status, const char* what) {
  if (status != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
#endif

}  // namespace

bool mpi_built() {
#ifdef ACCSIM_WITH_MPI
  return true;
#else
  return false;
#endif
}

bool mpi_launched() {
  auto set = [](const char* v) { return std::getenv(v) != nullptr; };
  return std::any_of(std::begin(kSizeVariables), std::end(kSizeVariables), set) ||
         std::any_of(std::begin(kRankVariables), std::end(kRankVariables), set);
}

void start_mpi([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
  SessionState& s = state();
  if (s.started || !mpi_launched()) return;
  // Without MPI every process of `mpirun -np N` would run the whole command and write the
  // same files: refuse instead.
  if (!mpi_built() && launched_with_others())
    throw std::runtime_error("started by an MPI launcher with other processes, but this accsim was built without MPI "
                             "(install libopenmpi-dev and rebuild, docs/scale_out.md)");
#ifdef ACCSIM_WITH_MPI
  const std::lock_guard<std::mutex> lock(mpi_mutex());
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  s.started = true;
  check(MPI_Comm_rank(MPI_COMM_WORLD, &s.rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &s.size), "MPI_Comm_size");
  if (provided < MPI_THREAD_SERIALIZED && s.size > 1)
    throw std::runtime_error("MPI: this MPI library does not allow calls from several threads (MPI_THREAD_SERIALIZED)");
#endif
}

void stop_mpi() {
  SessionState& s = state();
  if (!s.started || s.stopped) return;
#ifdef ACCSIM_WITH_MPI
  const std::lock_guard<std::mutex> lock(mpi_mutex());
  MPI_Finalize();
#endif
  s.stopped = true;
}

int mpi_rank() { return state().rank; }
int mpi_size() { return state().size; }

void mpi_send([[maybe_unused]] int dest, [[maybe_unused]] int tag, [[maybe_unused]] const Bytes& data) {
#ifdef ACCSIM_WITH_MPI
  if (!state().started) throw std::logic_error("mpi_send: MPI is not running");
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw std::runtime_error("MPI: a message of " + std::to_string(data.size()) + " bytes is too large");
  // Small messages go eagerly, large ones wait for the receiver: the lock is released
  // between tests so that the other threads of this rank go on talking meanwhile.
  MPI_Request request;
  {
    const std::lock_guard<std::mutex> lock(mpi_mutex());
    check(MPI_Isend(data.data(), static_cast<int>(data.size()), MPI_BYTE, dest, tag, MPI_COMM_WORLD, &request),
          "MPI_Isend");
  }
  for (PollBackoff backoff;; backoff.wait()) {
    int sent = 0;
    const std::lock_guard<std::mutex> lock(mpi_mutex());
    check(MPI_Test(&request, &sent, MPI_STATUS_IGNORE), "MPI_Test");
    if (sent) return;
  }
#else
  throw std::logic_error("mpi_send: accsim was built without MPI");
#endif
}

bool mpi_receive([[maybe_unused]] int source, [[maybe_unused]] int tag, [[maybe_unused]] MpiMessage& message) {
#ifdef ACCSIM_WITH_MPI
  if (!state().started) return false;
  const std::lock_guard<std::mutex> lock(mpi_mutex());
  int arrived = 0;
  MPI_Status status;
  check(MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
  if (!arrived) return false;
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  message.source = status.MPI_SOURCE;
  message.tag = status.MPI_TAG;
  message.data.resize(static_cast<std::size_t>(count));
  check(MPI_Recv(message.data.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return true;
#else
  return false;
#endif
}

void PollBackoff::wait() {
  std::this_thread::sleep_for(std::chrono::microseconds(micros_));
  micros_ = std::min(2000, micros_ * 2);
}

}  // namespace accsim
