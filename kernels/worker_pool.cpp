#include "kernels/worker_pool.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace accsim {

namespace {

// Set while this thread runs a part: a part that splits again runs its own parts itself
// (the pool is the outer split's; try-locking a mutex this thread holds is undefined).
thread_local bool in_part = false;

std::atomic<PartSharer> sharer{nullptr};

// Runs part(index) with in_part set.
void run_one(const std::function<void(int)>& part, int index) {
  const bool outer = in_part;
  in_part = true;
  part(index);
  in_part = outer;
}

class WorkerPool {
 public:
  ~WorkerPool() {
    if (::getpid() != owner_) {  // a fork child (a test's) holds copies of threads it does not have
      new std::vector<std::thread>(std::move(threads_));  // left, never joined
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
  }

  // False when another caller holds the pool, or in a fork child of the process that
  // started its threads (the child has none of them: it runs its parts itself).
  bool try_run(int parts, const std::function<void(int)>& part) {
    if (::getpid() != owner_) return false;
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      while (static_cast<int>(threads_.size()) < parts - 1) {
        const int index = static_cast<int>(threads_.size()) + 1;
        threads_.emplace_back([this, index] { serve(index); });
      }
      part_ = &part;
      parts_ = parts;
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    run_one(part, 0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    part_ = nullptr;
    return true;
  }

 private:
  // Pool thread `index` runs part `index` of every job that has one.
  void serve(int index) {
    long long seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index >= parts_) continue;
      const std::function<void(int)>* part = part_;
      lock.unlock();
      run_one(*part, index);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  const pid_t owner_ = ::getpid();
  std::mutex busy_;   // held by the one caller running a job
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  std::vector<std::thread> threads_;
  const std::function<void(int)>* part_ = nullptr;
  int parts_ = 0, pending_ = 0;
  long long generation_ = 0;
  bool stop_ = false;
};

}  // namespace

void run_parts(int parts, const std::function<void(int)>& part) {
  static WorkerPool pool;
  if (parts > 1 && !in_part)
    if (const PartSharer share = sharer.load(std::memory_order_acquire); share && share(parts, part)) return;
  if (parts <= 1 || in_part || !pool.try_run(parts, part))
    for (int i = 0; i < parts; ++i) part(i);
}

void set_part_sharer(PartSharer share) { sharer.store(share, std::memory_order_release); }

}  // namespace accsim
