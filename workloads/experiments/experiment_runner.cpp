#include "workloads/experiments/experiment_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>


namespace accsim {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

long long count_done(const std::vector<char>& done) { return std::count(done.begin(), done.end(), 1); }

}  // namespace

std::vector<std::size_t> pending_experiments(const std::vector<char>& done, long long max_experiments) {
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < done.size(); ++i)
    if (!done[i]) pending.push_back(i);
  if (max_experiments >= 0 && static_cast<std::size_t>(max_experiments) < pending.size())
    pending.resize(static_cast<std::size_t>(max_experiments));
  return pending;
}

long long run_experiments(const std::vector<std::size_t>& pending, std::vector<char>& done,
                          const std::function<std::function<void()>(const std::vector<std::size_t>&)>& run,
                          const std::function<std::function<void()>()>& checkpoint,
                          const ExperimentRunnerOptions& options) {
  const auto total = static_cast<long long>(done.size());
  long long done_count = count_done(done), ran = 0;
  std::mutex mutex;  // guards done, done_count, ran, error, finished
  std::condition_variable changed;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> abort{false};
  std::exception_ptr error;
  int finished = 0;
  auto stopping = [&] { return abort.load() || (options.stop && options.stop->load()); };
  auto work = [&] {
    try {
      const auto group = static_cast<std::size_t>(std::max(1, options.group));
      std::vector<std::size_t> indices;
      for (std::size_t j; !stopping() && (j = next.fetch_add(group)) < pending.size();) {
        indices.assign(pending.begin() + static_cast<std::ptrdiff_t>(j),
                       pending.begin() + static_cast<std::ptrdiff_t>(std::min(j + group, pending.size())));
        const std::function<void()> store = run(indices);
        const std::lock_guard<std::mutex> lock(mutex);
        store();
        for (std::size_t i : indices) done[i] = 1;
        done_count += static_cast<long long>(indices.size());
        ran += static_cast<long long>(indices.size());
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      abort = true;
    }
    const std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    changed.notify_all();
  };
  long long saved = done_count;  // what the checkpoint holds; before any worker runs
  const std::size_t groups = (pending.size() + static_cast<std::size_t>(std::max(1, options.group)) - 1) /
                             static_cast<std::size_t>(std::max(1, options.group));
  const int threads = pending.empty() ? 0 : worker_count(options.threads, groups);
  if (options.progress) options.progress->start(done_count, total);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);

  // The calling thread: progress and checkpoints.
  Clock::time_point last_checkpoint = Clock::now(), last_progress = Clock::now();
  auto save = [&](std::unique_lock<std::mutex>& lock) {
    if (!checkpoint || done_count == saved) return;
    const std::function<void()> write = checkpoint();  // a snapshot: workers go on while it is written
    saved = done_count;
    lock.unlock();
    write();
    lock.lock();
  };
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (finished < threads) {
      changed.wait_for(lock, std::chrono::duration<double>(std::min(options.progress_seconds, options.checkpoint_seconds)));
      if (options.progress && seconds_since(last_progress) >= options.progress_seconds) {
        options.progress->update(done_count);
        last_progress = Clock::now();
      }
      if (seconds_since(last_checkpoint) >= options.checkpoint_seconds) {
        try {
          save(lock);
        } catch (...) {
          if (!error) error = std::current_exception();
          abort = true;
        }
        last_checkpoint = Clock::now();
      }
    }
  }
  for (auto& t : pool) t.join();
  std::unique_lock<std::mutex> lock(mutex);
  // A complete run's results go to the output; the caller removes the checkpoint then.
  if (done_count < total) {
    try {
      save(lock);
    } catch (...) {
      if (!error) throw;  // otherwise the worker's error is the one to report
    }
  }
  if (options.progress) options.progress->update(done_count);
  if (error) std::rethrow_exception(error);
  return ran;
}

}  // namespace accsim
