// While a lane is owned its threads spin before they sleep: a task posted within the spin
// is taken without a sleep, the spin is bounded, and nothing spins once the lane is let
// go (a training step's end). CPU time, not the wall clock, tells a spin from a sleep,
// so the checks hold on a loaded machine.
#include "kernels/task_lane.h"

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace accsim {
namespace {

using std::chrono::milliseconds;

// CPU seconds this process has used (all its threads).
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// CPU seconds the process uses while its calling thread sleeps for `wall`.
double cpu_while_sleeping(milliseconds wall) {
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(wall);
  return process_cpu_seconds() - before;
}

// Restores the default spin when a test ends, whatever it set.
struct SpinScope {
  explicit SpinScope(std::chrono::nanoseconds limit) { TaskLane::set_spin(limit); }
  ~SpinScope() { TaskLane::set_spin(TaskLane::default_spin); }
};

// Posts a task, lets the lane's thread run it (wait() would run a task still queued
// itself) and waits.
void run_on_the_lane(TaskLane& lane) {
  std::atomic<bool> ran{false};
  lane.post([&ran] { ran = true; });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ran && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_TRUE(ran);
  lane.wait();
}

// Sleeps on the lane's waits while its owner posts a task 5 ms after the lane's thread
// finished the one before.
long long sleeps_across_a_pause() {
  TaskLane lane(true);
  EXPECT_TRUE(lane.beside());
  run_on_the_lane(lane);
  const long long before = TaskLane::sleeps();
  std::this_thread::sleep_for(milliseconds(5));
  run_on_the_lane(lane);
  return TaskLane::sleeps() - before;
}

TEST(TaskLaneSpin, ATaskPostedWithinTheSpinIsTakenWithoutASleep) {
  {
    SpinScope no_spin(std::chrono::nanoseconds(0));
    EXPECT_GE(sleeps_across_a_pause(), 1);  // the lane's thread slept through the pause
  }
  SpinScope spin(std::chrono::seconds(2));
  EXPECT_EQ(sleeps_across_a_pause(), 0);
}

// Taking a lane wakes its thread, asleep since the last step, to spin: the step's first
// task (or part of a split) is taken without a wake-up.
TEST(TaskLaneSpin, TakingTheLaneWakesItsThreadToSpin) {
  SpinScope spin(std::chrono::seconds(2));
  {
    TaskLane first(true);  // the thread exists, then sleeps once the lane is let go
    run_on_the_lane(first);
  }
  std::this_thread::sleep_for(milliseconds(100));
  const long long asleep = TaskLane::sleeps();
  TaskLane lane(true);
  ASSERT_TRUE(lane.beside());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (TaskLane::sleeps() == asleep && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  EXPECT_GT(TaskLane::sleeps(), asleep);  // woken without a task
  std::this_thread::sleep_for(milliseconds(5));
  const long long before = TaskLane::sleeps();
  run_on_the_lane(lane);
  EXPECT_EQ(TaskLane::sleeps(), before);
}

TEST(TaskLaneSpin, TheSpinIsBounded) {
  SpinScope spin(milliseconds(20));
  TaskLane lane(true);
  run_on_the_lane(lane);
  // The lane's thread spins at most 20 ms of the 300, then sleeps until the next post.
  EXPECT_LT(cpu_while_sleeping(milliseconds(300)), 0.1);
}

TEST(TaskLaneSpin, NothingSpinsOnceTheLaneIsLetGo) {
  SpinScope spin(std::chrono::seconds(2));
  {
    TaskLane lane(true);
    run_on_the_lane(lane);
  }  // the step ends: the lane's thread, spinning for its next task, goes to sleep
  EXPECT_LT(cpu_while_sleeping(milliseconds(200)), 0.05);
}

}  // namespace
}  // namespace accsim
