#include "kernels/task_lane.h"

#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

#include "kernels/worker_pool.h"

namespace accsim {

namespace {

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
    return true;
  }
  void release() { owner_.unlock(); }

  void post(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

  // Waits until the queue is empty and no task runs; the first error since the last wait.
  std::exception_ptr wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return queue_.empty() && !running_; });
    std::exception_ptr e = error_;
    error_ = nullptr;
    return e;
  }

 private:
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopped
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      running_ = true;
      lock.unlock();
      std::exception_ptr e;
      try {
        task();
      } catch (...) {
        e = std::current_exception();
      }
      lock.lock();
      running_ = false;
      if (e && !error_) error_ = e;
      if (queue_.empty()) done_.notify_one();
    }
  }

  const pid_t owner_pid_ = ::getpid();
  std::mutex owner_;  // held by the lane that posts to the thread
  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_, done_;
  std::deque<std::function<void()>> queue_;
  std::thread thread_;
  bool running_ = false, stop_ = false;
  std::exception_ptr error_;
};

LaneThread& lane_thread() {
  static LaneThread lane;
  return lane;
}

}  // namespace

TaskLane::TaskLane(bool enabled) : owns_(enabled && lane_thread().acquire()) {}

TaskLane::~TaskLane() {
  if (!owns_) return;
  if (pending_) {
    lane_thread().wait();  // an error here was not asked for (the caller is unwinding or did not wait)
    set_lane_busy(false);
  }
  lane_thread().release();
}

void TaskLane::post(std::function<void()> task) {
  if (!owns_) {
    task();
    return;
  }
  if (!pending_) set_lane_busy(true);
  pending_ = true;
  lane_thread().post(std::move(task));
}

void TaskLane::wait() {
  if (!owns_ || !pending_) return;
  const std::exception_ptr e = lane_thread().wait();
  pending_ = false;
  set_lane_busy(false);
  if (e) std::rethrow_exception(e);
}

}  // namespace accsim
