#include "workloads/experiments/distributed_runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "arch/input_error.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/experiments/mpi_session.h"
#include "workloads/experiments/rank_protocol.h"

namespace accsim {

namespace {

using RunGroup = std::function<std::function<void()>(const std::vector<std::size_t>&)>;

constexpr const char* kDistributedCommands[] = {"campaign", "dlrm", "pvf", "sweep", "train-campaign"};

// Set while this thread computes a group of a run: a run started inside an experiment (a
// sweep point's campaign) runs on the threads of the rank computing that experiment.
thread_local bool computing_group = false;

class GroupScope {
 public:
  GroupScope() : outer_(computing_group) { computing_group = true; }
  ~GroupScope() { computing_group = outer_; }
  GroupScope(const GroupScope&) = delete;
  GroupScope& operator=(const GroupScope&) = delete;

 private:
  bool outer_;
};

// Groups in flight per thread of another rank: one computing, three queued behind it, so
// that the rank's threads do not wait for the round trip to rank 0 between groups; on
// this loaded 2-core machine that round trip (three threads waking from their polls)
// took longer than a 32-experiment pvf group, and with one group queued the other ranks
// computed only about a quarter of the time.
constexpr int kGroupsInFlight = 4;

// Rank 0: the thread count of every rank (index 0 unused), as each reports when ready.
std::vector<int> await_ranks() {
  std::vector<int> threads(static_cast<std::size_t>(mpi_size()), 0);
  for (int missing = mpi_size() - 1; missing > 0;) {
    MpiMessage m;
    if (mpi_receive(-1, hello_tag, m)) {
      ByteReader r(m.data);
      threads[static_cast<std::size_t>(m.source)] = std::max(1, static_cast<int>(r.get<std::int32_t>()));
      --missing;
      continue;
    }
    rethrow_rank_error();
    PollBackoff().wait();
  }
  return threads;
}

// Rank 0: the error another rank reported, shared by the proxies: the one that receives
// it and every other proxy still waiting throw the same, so whichever the runner records
// first, it reports the rank's own message.
class RankFailure {
 public:
  void rethrow_if_failed() {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (!error_) {
      try {
        rethrow_rank_error();
      } catch (...) {
        error_ = std::current_exception();
      }
    }
    if (error_) std::rethrow_exception(error_);
  }

 private:
  std::mutex mutex_;
  std::exception_ptr error_;
};

// Rank 0: sends a group to `rank` and waits for its results (reply tag result_tag + slot).
Bytes remote_group(int rank, int slot, const std::vector<std::size_t>& indices, RankFailure& failure) {
  ByteWriter w;
  w.put<std::int32_t>(slot);
  w.put_vector(indices);
  mpi_send(rank, work_tag, w.bytes());
  MpiMessage m;
  for (PollBackoff backoff; !mpi_receive(rank, result_tag + slot, m); backoff.wait()) failure.rethrow_if_failed();
  return std::move(m.data);
}

// Rank 0: the group's results as sent back; a group that raised an error raises it here.
void decode_group(const Bytes& reply, const std::vector<std::size_t>& indices, const ResultCodec& codec, int rank) {
  ByteReader r(reply);
  if (!r.get<std::uint8_t>()) {
    const int code = r.get<std::int32_t>();
    const std::string text = "rank " + std::to_string(rank) + ": " + r.get_string();
    if (code == 2) throw InputError(text);
    throw std::runtime_error(text);
  }
  for (std::size_t i : indices) codec.decode(i, r);
  r.expect_end();
}

// Rank 0: the runner with local threads and proxies (kGroupsInFlight per thread of
// another rank); thread slots are given out in the order the runner's threads first ask
// (local ones first).
long long run_on_ranks(const std::vector<std::size_t>& pending, std::vector<char>& done, const RunGroup& run,
                       const std::function<std::function<void()>()>& checkpoint, const ResultCodec& codec,
                       const ExperimentRunnerOptions& options) {
  const std::vector<int> threads = await_ranks();
  const int local = resolve_threads(options.threads);
  std::vector<int> rank_of_slot(static_cast<std::size_t>(local), 0);
  for (int rank = 1; rank < mpi_size(); ++rank)
    rank_of_slot.insert(rank_of_slot.end(),
                        static_cast<std::size_t>(kGroupsInFlight * threads[static_cast<std::size_t>(rank)]), rank);
  std::mutex slots_mutex;
  std::map<std::thread::id, int> slot_of_thread;
  RankFailure failure;
  auto slot = [&] {
    const std::lock_guard<std::mutex> lock(slots_mutex);
    return slot_of_thread.emplace(std::this_thread::get_id(), static_cast<int>(slot_of_thread.size())).first->second;
  };
  ExperimentRunnerOptions o = options;
  o.threads = static_cast<int>(rank_of_slot.size());
  return run_experiments(
      pending, done,
      [&](const std::vector<std::size_t>& indices) -> std::function<void()> {
        const int s = slot();
        const int rank = rank_of_slot.at(static_cast<std::size_t>(s));
        if (rank == 0) return run(indices);
        Bytes reply = remote_group(rank, s, indices, failure);
        return [reply = std::move(reply), indices, &codec, rank] { decode_group(reply, indices, codec, rank); };
      },
      checkpoint, o);
}

// A rank > 0: one group computed, stored in this rank's results and encoded, or the
// error it raised.
Bytes compute_group(const RunGroup& run, const ResultCodec& codec, const std::vector<std::size_t>& indices,
                    std::mutex& store_mutex) {
  ByteWriter w;
  try {
    const std::function<void()> store = run(indices);
    const std::lock_guard<std::mutex> lock(store_mutex);
    store();
    w.put<std::uint8_t>(1);
    for (std::size_t i : indices) codec.encode(i, w);
  } catch (const std::exception& e) {
    w = ByteWriter();
    w.put<std::uint8_t>(0);
    w.put<std::int32_t>(dynamic_cast<const InputError*>(&e) ? 2 : 1);
    w.put_string(e.what());
  }
  return std::move(w.bytes());
}

// How a rank > 0 stopped serving: rank 0's exit code, or a shared run's results.
struct ServeEnd {
  bool shared = false;
  int code = 1;
  Bytes results;
};

// A rank > 0: groups received on this (the MPI) thread, computed by `threads` workers,
// replies sent back from this thread, until rank 0 sends the exit code.
class GroupServer {
 public:
  GroupServer(const RunGroup& run, const ResultCodec& codec) : run_(run), codec_(codec) {}

  // Serves until rank 0 ends the run: with its exit code, or (a shared run) with the results.
  ServeEnd serve(int threads) {
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([this] { work(); });
    ServeEnd end;
    try {
      end = talk();
    } catch (...) {
      close(pool);
      throw;
    }
    close(pool);
    return end;
  }

 private:
  struct Group {
    int slot = 0;
    std::vector<std::size_t> indices;
  };

  ServeEnd talk() {
    for (PollBackoff backoff;;) {
      MpiMessage m;
      if (mpi_receive(0, exit_tag, m)) return {false, ByteReader(m.data).get<std::int32_t>(), {}};
      if (mpi_receive(0, shared_tag, m)) return {true, 0, std::move(m.data)};
      bool busy = mpi_receive(0, work_tag, m);
      if (busy) receive(m);
      std::deque<std::pair<int, Bytes>> replies;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        replies.swap(replies_);
      }
      for (const auto& [slot, bytes] : replies) mpi_send(0, result_tag + slot, bytes);
      busy = busy || !replies.empty();
      if (busy)
        backoff.reset();
      else
        backoff.wait();
    }
  }

  void receive(const MpiMessage& m) {
    ByteReader r(m.data);
    Group g;
    g.slot = r.get<std::int32_t>();
    g.indices = r.get_vector<std::size_t>();
    const std::lock_guard<std::mutex> lock(mutex_);
    groups_.push_back(std::move(g));
    changed_.notify_one();
  }

  void work() {
    for (;;) {
      Group g;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return closing_ || !groups_.empty(); });
        if (closing_) return;
        g = std::move(groups_.front());
        groups_.pop_front();
      }
      Bytes reply = compute_group(run_, codec_, g.indices, store_mutex_);
      const std::lock_guard<std::mutex> lock(mutex_);
      replies_.emplace_back(g.slot, std::move(reply));
    }
  }

  void close(std::vector<std::thread>& pool) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
      changed_.notify_all();
    }
    for (auto& t : pool) t.join();
  }

  const RunGroup& run_;
  const ResultCodec& codec_;
  std::mutex mutex_, store_mutex_;  // mutex_ guards groups_, replies_, closing_
  std::condition_variable changed_;
  std::deque<Group> groups_;
  std::deque<std::pair<int, Bytes>> replies_;
  bool closing_ = false;
};

}  // namespace

bool command_runs_distributed(const std::string& command) {
  return std::find(std::begin(kDistributedCommands), std::end(kDistributedCommands), command) !=
         std::end(kDistributedCommands);
}

namespace {

// Rank 0, after a shared run: every finished experiment's result and how many ran, to
// every other rank.
void share_results(const std::vector<char>& done, long long ran, const ResultCodec& codec) {
  std::vector<std::size_t> finished;
  for (std::size_t i = 0; i < done.size(); ++i)
    if (done[i]) finished.push_back(i);
  ByteWriter w;
  w.put<std::int64_t>(ran);
  w.put_vector(finished);
  for (std::size_t i : finished) codec.encode(i, w);
  for (int rank = 1; rank < mpi_size(); ++rank) mpi_send(rank, shared_tag, w.bytes());
}

// A rank > 0: the shared run's results as rank 0 sent them; returns how many ran.
long long take_results(const Bytes& results, std::vector<char>& done, const ResultCodec& codec) {
  ByteReader r(results);
  const long long ran = r.get<std::int64_t>();
  for (std::size_t i : r.get_vector<std::size_t>()) {
    codec.decode(i, r);
    done.at(i) = 1;
  }
  r.expect_end();
  return ran;
}

long long distributed(const std::vector<std::size_t>& pending, std::vector<char>& done, const RunGroup& run,
                      const std::function<std::function<void()>()>& checkpoint, const ResultCodec& codec,
                      const ExperimentRunnerOptions& options, bool shared) {
  if (mpi_size() == 1 || computing_group) return run_experiments(pending, done, run, checkpoint, options);
  const RunGroup scoped = [&run](const std::vector<std::size_t>& group) {
    const GroupScope scope;
    return run(group);
  };
  static std::atomic<bool> retired{false};  // after an unshared run the other ranks serve no more
  if (shared ? retired.load() : retired.exchange(true))
    throw std::logic_error("run_distributed: no distributed run after an unshared one");
  if (mpi_rank() == 0) {
    const long long ran = run_on_ranks(pending, done, scoped, checkpoint, codec, options);
    if (shared) share_results(done, ran, codec);
    return ran;
  }
  const int threads = resolve_threads(options.threads);
  ByteWriter hello;
  hello.put<std::int32_t>(threads);
  mpi_send(0, hello_tag, hello.bytes());
  ServeEnd end = GroupServer(scoped, codec).serve(threads);
  if (!end.shared) throw RankRetired{end.code};
  return take_results(end.results, done, codec);
}

}  // namespace

long long run_distributed(const std::vector<std::size_t>& pending, std::vector<char>& done, const RunGroup& run,
                          const std::function<std::function<void()>()>& checkpoint, const ResultCodec& codec,
                          const ExperimentRunnerOptions& options) {
  return distributed(pending, done, run, checkpoint, codec, options, false);
}

long long run_distributed_shared(const std::vector<std::size_t>& pending, std::vector<char>& done,
                                 const RunGroup& run, const std::function<std::function<void()>()>& checkpoint,
                                 const ResultCodec& codec, const ExperimentRunnerOptions& options) {
  return distributed(pending, done, run, checkpoint, codec, options, true);
}

}  // namespace accsim
