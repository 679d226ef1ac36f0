#include "kernels/task_lane.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "kernels/spin_wait.h"
#include "kernels/worker_pool.h"

namespace accsim {

namespace {

// How long a thread of an owned lane spins before it sleeps (TaskLane::set_spin), and
// the sleeps on the lane's waits that have ended so far (TaskLane::sleeps).
std::atomic<long long> spin_ns{std::chrono::nanoseconds(TaskLane::default_spin).count()};
std::atomic<long long> sleep_count{0};
std::atomic<long long> shared_count{0};

std::chrono::nanoseconds spin_limit() { return std::chrono::nanoseconds(spin_ns.load(std::memory_order_relaxed)); }

// With `lock` held: spins unlocked until spin_ready() (read without the lock) for at most
// spin_limit() while `go` holds, relocks, then cv.wait(lock, ready), counting a sleep (when
// it ends) when ready() does not hold yet.
template <class SpinReady, class Ready>
void spin_then_sleep(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, const std::atomic<bool>& go,
                     const SpinReady& spin_ready, const Ready& ready) {
  lock.unlock();
  spin_until(spin_ready, spin_limit(), go);
  lock.lock();
  if (ready()) return;
  cv.wait(lock, ready);
  sleep_count.fetch_add(1, std::memory_order_relaxed);
}

thread_local bool on_lane = false;   // this thread is the lane's
thread_local bool in_shared = false;  // this thread runs a part of a shared split

// The parts of one split shared with the lane: each is taken once, by the lane's thread
// or by the caller; the caller waits for the ones the lane took.
struct SharedParts {
  enum State { open, other, done, self };  // taken by: the other thread / the splitting one
  std::mutex mutex;
  std::condition_variable finished;
  std::vector<State> state;
  std::atomic<int> running{0};  // parts the other thread took and has not finished
  std::exception_ptr error;
};

// Runs `part(index)` with in_shared set (a part that splits again runs its parts itself).
void run_shared(const std::function<void(int)>& part, int index) {
  const bool outer = in_shared;
  in_shared = true;
  part(index);
  in_shared = outer;
}

// The process's one lane thread, started by the first lane that runs tasks beside its
// caller, and the queue it serves.
class LaneThread {
 public:
  ~LaneThread() {
    if (::getpid() != owner_pid_) {  // a fork child holds a copy of a thread it does not have
      if (thread_.joinable()) new std::thread(std::move(thread_));  // left, never joined
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  // False when another lane owns the thread, or in a fork child.
  bool acquire() {
    if (::getpid() != owner_pid_ || !owner_.try_lock()) return false;
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) thread_ = std::thread([this] { serve(); });
    caller_ = std::this_thread::get_id();
    active_.store(true, std::memory_order_relaxed);
    poke_ = true;  // the thread slept since the last step: it spins again now, while the
    wake_.notify_one();  // caller sets up (its wake-up, tens of us, off the first split)
    return true;
  }
  void release() {
    active_.store(false, std::memory_order_relaxed);  // a spinning lane thread goes to sleep
    owner_.unlock();
  }

  // `counted`: a task of TaskLane::post (queued() counts those; a shared part is not one).
  void post(std::function<void()> task, bool counted) {
    outstanding_.fetch_add(1, std::memory_order_acq_rel);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back({std::move(task), counted});
      queued_ += counted;
      queue_size_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_one();
  }

  int queued() {
    std::lock_guard<std::mutex> lock(mutex_);
    return queued_;
  }

  // Runs queued tasks on the calling thread (the newest first; the lane's thread takes
  // the oldest), and parts of the lane's own splits (help_), until every posted task has
  // finished; the first error since the last wait.
  std::exception_ptr wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      if (!queue_.empty()) {
        std::function<void()> task = std::move(queue_.back().run);
        queued_ -= queue_.back().counted;
        queue_.pop_back();
        queue_size_.fetch_sub(1, std::memory_order_relaxed);
        lock.unlock();
        run_here(task, lock, true);
      } else if (!help_.empty()) {
        std::function<void()> part = std::move(help_.front());
        help_.pop_front();
        help_size_.fetch_sub(1, std::memory_order_relaxed);
        lock.unlock();
        run_here(part, lock, false);
      } else if (outstanding_.load(std::memory_order_acquire) == 0) {
        break;
      } else {
        const auto ready = [this] {
          return outstanding_.load(std::memory_order_acquire) == 0 || help_size_.load(std::memory_order_acquire) > 0;
        };
        spin_then_sleep(done_, lock, active_, ready, ready);
      }
    }
    help_.clear();  // parts the lane took back itself
    help_size_.store(0, std::memory_order_relaxed);
    std::exception_ptr e = error_;
    error_ = nullptr;
    return e;
  }

  // run_parts while a lane is owned (PartSharer). The owner queues parts 1.. for the
  // lane's thread (behind its tasks), the lane's thread offers them to the owner's
  // wait(); either runs part 0 and takes back every part the other thread has not
  // started, so a lane slow to wake (or busy) costs no wait. Other threads leave an idle
  // lane's split to the pool (false) and run a busy one's parts themselves.
  bool share(int parts, const std::function<void(int)>& part) {
    if (::getpid() != owner_pid_) return false;  // a fork child: no lane thread, the pool's rule
    const bool owner = std::this_thread::get_id() == caller_;
    if (!owner && !on_lane && outstanding_.load(std::memory_order_acquire) == 0) return false;
    if (in_shared || (!on_lane && !owner)) {
      for (int i = 0; i < parts; ++i) part(i);
      return true;
    }
    shared_count.fetch_add(1, std::memory_order_relaxed);
    const auto shared = std::make_shared<SharedParts>();
    shared->state.assign(static_cast<std::size_t>(parts), SharedParts::open);
    for (int i = 1; i < parts; ++i) {
      std::function<void()> offer = [shared, i, &part] { other_part(*shared, i, part); };
      if (on_lane) {
        std::lock_guard<std::mutex> lock(mutex_);
        help_.push_back(std::move(offer));
        help_size_.fetch_add(1, std::memory_order_release);
      } else {
        post(std::move(offer), false);
      }
    }
    if (on_lane) done_.notify_all();  // a waiting owner helps
    run_shared(part, 0);
    for (int i = 1; i < parts; ++i)
      if (take(*shared, i, SharedParts::self)) run_shared(part, i);
    const auto finished = [&] { return shared->running.load(std::memory_order_acquire) == 0; };
    std::unique_lock<std::mutex> lock(shared->mutex);
    spin_then_sleep(shared->finished, lock, active_, finished, finished);
    if (shared->error) std::rethrow_exception(shared->error);
    return true;
  }

 private:
  static bool take(SharedParts& shared, int i, SharedParts::State by) {
    std::lock_guard<std::mutex> lock(shared.mutex);
    if (shared.state[static_cast<std::size_t>(i)] != SharedParts::open) return false;
    shared.state[static_cast<std::size_t>(i)] = by;
    if (by == SharedParts::other) shared.running.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // A shared part on the thread that did not split, unless the splitting one took it back.
  static void other_part(SharedParts& shared, int i, const std::function<void(int)>& part) {
    if (!take(shared, i, SharedParts::other)) return;
    std::exception_ptr e;
    try {
      run_shared(part, i);
    } catch (...) {
      e = std::current_exception();
    }
    {
      std::lock_guard<std::mutex> lock(shared.mutex);
      shared.state[static_cast<std::size_t>(i)] = SharedParts::done;
      if (e && !shared.error) shared.error = e;
      shared.running.fetch_sub(1, std::memory_order_release);
    }
    shared.finished.notify_all();
  }

  void serve() {
    on_lane = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      const auto ready = [this] { return stop_ || poke_ || !queue_.empty(); };
      if (!ready())
        spin_then_sleep(wake_, lock, active_, [this] { return queue_size_.load(std::memory_order_acquire) > 0; }, ready);
      if (std::exchange(poke_, false) && queue_.empty() && !stop_) continue;  // woken by acquire(): spin
      if (queue_.empty()) return;  // stopped
      std::function<void()> task = std::move(queue_.front().run);
      queued_ -= queue_.front().counted;
      queue_.pop_front();
      queue_size_.fetch_sub(1, std::memory_order_relaxed);
      lock.unlock();
      finish(task, lock);
    }
  }

  // On the owner in wait(): a queued task (`counted`: a posted one) or a lane's part,
  // unlocked, its splits on this thread (the lane's is busy); relocks.
  void run_here(std::function<void()>& task, std::unique_lock<std::mutex>& lock, bool counted) {
    const bool outer = in_shared;
    in_shared = true;
    if (counted) {
      finish(task, lock);
    } else {
      task();  // other_part keeps its error for the lane's split
      task = nullptr;
      lock.lock();
    }
    in_shared = outer;
  }

  // Runs a task taken off the queue (unlocked), relocks, and counts it done.
  void finish(std::function<void()>& task, std::unique_lock<std::mutex>& lock) {
    std::exception_ptr e;
    try {
      task();
    } catch (...) {
      e = std::current_exception();
    }
    task = nullptr;  // its captures go before the caller hears it finished
    lock.lock();
    if (e && !error_) error_ = e;
    if (outstanding_.fetch_sub(1, std::memory_order_acq_rel) == 1) done_.notify_all();
  }

  const pid_t owner_pid_ = ::getpid();
  std::mutex owner_;  // held by the lane that posts to the thread
  std::thread::id caller_;  // the owning lane's thread
  std::atomic<int> outstanding_{0};  // posted tasks not finished
  std::atomic<bool> active_{false};  // a lane owns the thread (a step runs): waits spin first
  std::atomic<int> queue_size_{0}, help_size_{0};  // queue_.size(), help_.size(): read while spinning
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  struct Queued {
    std::function<void()> run;
    bool counted;
  };
  std::deque<Queued> queue_;
  int queued_ = 0;  // counted tasks in queue_
  std::deque<std::function<void()>> help_;  // parts of the lane's splits, for the owner's wait()
  std::thread thread_;
  bool stop_ = false;
  bool poke_ = false;  // acquire() woke the thread to spin for the step's first task
  std::exception_ptr error_;
};

LaneThread& lane_thread() {
  static LaneThread lane;
  return lane;
}

bool share_parts(int parts, const std::function<void(int)>& part) { return lane_thread().share(parts, part); }

}  // namespace

TaskLane::TaskLane(bool enabled) : owns_(enabled && lane_thread().acquire()) {
  if (owns_) set_part_sharer(share_parts);
}

TaskLane::~TaskLane() {
  if (!owns_) return;
  if (pending_) lane_thread().wait();  // an error here was not asked for (the caller is unwinding or did not wait)
  set_part_sharer(nullptr);
  lane_thread().release();
}

void TaskLane::post(std::function<void()> task) {
  if (!owns_) {
    task();
    return;
  }
  pending_ = true;
  lane_thread().post(std::move(task), true);
}

void TaskLane::set_spin(std::chrono::nanoseconds limit) { spin_ns.store(limit.count(), std::memory_order_relaxed); }

long long TaskLane::sleeps() { return sleep_count.load(std::memory_order_relaxed); }

long long TaskLane::shared_splits() { return shared_count.load(std::memory_order_relaxed); }

int TaskLane::queued() const { return owns_ ? lane_thread().queued() : 0; }

void TaskLane::wait() {
  if (!owns_ || !pending_) return;
  const std::exception_ptr e = lane_thread().wait();
  pending_ = false;
  if (e) std::rethrow_exception(e);
}

}  // namespace accsim
