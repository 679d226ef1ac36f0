#pragma once
// The MPI process group accsim runs in, and byte messages between its ranks: the one
// place that includes <mpi.h>. MPI starts only in a process that an MPI launcher
// (mpirun, mpiexec, srun) started; any other process, and every process of a build
// without MPI (ACCSIM_WITH_MPI undefined), is rank 0 of 1 and sends nothing.
//
// All MPI calls go through here under one lock (MPI_THREAD_SERIALIZED): several threads
// of rank 0 talk to the other ranks. Receives never block inside MPI: callers poll
// (receive() returns false when nothing is there), so a waiting rank sleeps instead of
// spinning on a core that the experiments need.
#include <cstdint>
#include <string>
#include <vector>

namespace accsim {

using Bytes = std::vector<std::uint8_t>;

// Starts MPI when a launcher started this process (and ACCSIM_WITH_MPI); idempotent.
// Without ACCSIM_WITH_MPI, a process that a launcher started along with others throws
// std::runtime_error (each would otherwise run the whole command).
void start_mpi(int& argc, char**& argv);

// Ends MPI if it was started; idempotent.
void stop_mpi();

int mpi_rank();  // 0 without MPI
int mpi_size();  // 1 without MPI

// Whether this build has MPI; whether this process was started by an MPI launcher.
bool mpi_built();
bool mpi_launched();

// Sends `data` to rank `dest` with `tag` (returns once the buffer may be reused).
void mpi_send(int dest, int tag, const Bytes& data);

struct MpiMessage {
  int source = 0;
  int tag = 0;
  Bytes data;
};

// Receives one message from `source` (-1: any) with `tag` if one has arrived.
bool mpi_receive(int source, int tag, MpiMessage& message);

// Sleeps a little between polls: short at first, then up to 2 ms.
class PollBackoff {
 public:
  void wait();
  void reset() { micros_ = 20; }

 private:
  int micros_ = 20;
};

}  // namespace accsim
