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

namespace {

// One run's shared state: workers take groups of pending experiments and store their
// results under the lock; the calling thread reports progress and writes checkpoints.
class ExperimentRun {
 public:
  using Run = std::function<std::function<void()>(const std::vector<std::size_t>&)>;
  using Checkpoint = std::function<std::function<void()>()>;

  ExperimentRun(const std::vector<std::size_t>& pending, std::vector<char>& done, const Run& run,
                const Checkpoint& checkpoint, const ExperimentRunnerOptions& options)
      : pending_(pending), done_(done), run_(run), checkpoint_(checkpoint), options_(options),
        group_(static_cast<std::size_t>(std::max(1, options.group))), done_count_(count_done(done)),
        saved_(done_count_) {}

  long long go() {
    const std::size_t groups = (pending_.size() + group_ - 1) / group_;
    const int threads = pending_.empty() ? 0 : worker_count(options_.threads, groups);
    if (options_.progress) options_.progress->start(done_count_, static_cast<long long>(done_.size()));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back([this] { work(); });
    supervise(threads);
    for (auto& t : pool) t.join();
    std::unique_lock<std::mutex> lock(mutex_);
    // A complete run's results go to the output; the caller removes the checkpoint then.
    if (done_count_ < static_cast<long long>(done_.size())) {
      try {
        save(lock);
      } catch (...) {
        if (!error_) throw;  // otherwise the worker's error is the one to report
      }
    }
    if (options_.progress) options_.progress->update(done_count_);
    if (error_) std::rethrow_exception(error_);
    return ran_;
  }

 private:
  bool stopping() const { return abort_.load() || (options_.stop && options_.stop->load()); }

  void fail(std::exception_ptr e) {  // under the lock
    if (!error_) error_ = e;
    abort_ = true;
  }

  void work() {
    try {
      std::vector<std::size_t> indices;
      for (std::size_t j; !stopping() && (j = next_.fetch_add(group_)) < pending_.size();) {
        indices.assign(pending_.begin() + static_cast<std::ptrdiff_t>(j),
                       pending_.begin() + static_cast<std::ptrdiff_t>(std::min(j + group_, pending_.size())));
        const std::function<void()> store = run_(indices);
        const std::lock_guard<std::mutex> lock(mutex_);
        store();
        for (std::size_t i : indices) done_[i] = 1;
        done_count_ += static_cast<long long>(indices.size());
        ran_ += static_cast<long long>(indices.size());
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex_);
      fail(std::current_exception());
    }
    const std::lock_guard<std::mutex> lock(mutex_);
    ++finished_;
    changed_.notify_all();
  }

  // Progress and checkpoints until every worker has finished.
  void supervise(int threads) {
    Clock::time_point last_checkpoint = Clock::now(), last_progress = Clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    const std::chrono::duration<double> wake(std::min(options_.progress_seconds, options_.checkpoint_seconds));
    while (finished_ < threads) {
      changed_.wait_for(lock, wake);
      if (options_.progress && seconds_since(last_progress) >= options_.progress_seconds) {
        options_.progress->update(done_count_);
        last_progress = Clock::now();
      }
      if (seconds_since(last_checkpoint) >= options_.checkpoint_seconds) {
        try {
          save(lock);
        } catch (...) {
          fail(std::current_exception());
        }
        last_checkpoint = Clock::now();
      }
    }
  }

  // A snapshot of the results so far, written with the lock released (workers go on).
  void save(std::unique_lock<std::mutex>& lock) {
    if (!checkpoint_ || done_count_ == saved_) return;
    const std::function<void()> write = checkpoint_();
    saved_ = done_count_;
    lock.unlock();
    write();
    lock.lock();
  }

  const std::vector<std::size_t>& pending_;
  std::vector<char>& done_;
  const Run& run_;
  const Checkpoint& checkpoint_;
  const ExperimentRunnerOptions& options_;
  const std::size_t group_;
  std::mutex mutex_;  // guards done_, done_count_, ran_, error_, finished_, saved_
  std::condition_variable changed_;
  std::atomic<std::size_t> next_{0};
  std::atomic<bool> abort_{false};
  std::exception_ptr error_;
  long long done_count_, ran_ = 0;
  long long saved_;  // what the checkpoint holds
  int finished_ = 0;
};

}  // namespace

long long run_experiments(const std::vector<std::size_t>& pending, std::vector<char>& done,
                          const std::function<std::function<void()>(const std::vector<std::size_t>&)>& run,
                          const std::function<std::function<void()>()>& checkpoint,
                          const ExperimentRunnerOptions& options) {
  return ExperimentRun(pending, done, run, checkpoint, options).go();
}

}  // namespace accsim
