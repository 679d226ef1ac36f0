#pragma once
// A second line of work beside the calling thread: tasks posted to a lane run in order
// on a thread kept for the process while the caller goes on with its own work (a
// training step's backward-weight jobs beside its backward-data chain: one wake-up per
// task at most instead of a hand-off per split job). While a lane holds tasks the pool
// stays out (the two lines of work keep two cores busy): a split job (run_parts,
// worker_pool.h) on the caller queues its other parts behind the lane's tasks, one on the
// lane's thread offers them to the caller's wait(), and each thread takes back the parts
// the other has not started; wait() also runs the tasks still queued. Parts and tasks
// are independent, so who runs them changes no result. One caller at a time owns the
// lane; a lane that is disabled, taken
// by another caller, or in a fork child of the process that started its thread runs each
// task at once inside post().
//
// While a lane is owned (a training step), a thread that waits for the other (the lane's
// thread for its next task, the caller for the lane's tasks or parts) spins for a bounded
// time before it sleeps: most hand-offs of a step take microseconds, and a sleep and
// wake-up costs tens of them on a virtual machine. Taking the lane (the step's start)
// wakes its thread to spin, so the step's first hand-off finds it awake. Outside a step
// nothing spins.
#include <chrono>
#include <functional>

namespace accsim {

class TaskLane {
 public:
  explicit TaskLane(bool enabled);
  ~TaskLane();  // waits for the posted tasks (their errors dropped: wait() reports them)
  TaskLane(const TaskLane&) = delete;
  TaskLane& operator=(const TaskLane&) = delete;

  // True when posted tasks run beside the caller (false: post() runs them at once).
  bool beside() const { return owns_; }
  void post(std::function<void()> task);
  // Posted tasks not started yet (0 when not beside; shared parts of splits not counted).
  int queued() const;
  // Returns when every posted task has finished, running queued ones itself; rethrows
  // the first task's exception.
  void wait();

  // How long a waiting thread spins before it sleeps while a lane is owned (0: never).
  static constexpr std::chrono::microseconds default_spin{50};
  static void set_spin(std::chrono::nanoseconds limit);
  // How many sleeps on one of the lane's waits (either thread) have ended since the
  // process started (tests and measurements).
  static long long sleeps();
  // How many split jobs have been shared between an owned lane's two threads since the
  // process started (tests and measurements).
  static long long shared_splits();

 private:
  bool owns_ = false;
  bool pending_ = false;  // tasks posted since the last wait()
};

}  // namespace accsim
