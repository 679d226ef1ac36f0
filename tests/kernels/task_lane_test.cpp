// A task lane runs its tasks in order on another thread while the caller goes on, makes
// run_parts run parts on the calling thread meanwhile, reports a task's exception at
// wait(), and runs tasks at once when disabled or when another lane owns the thread.
#include "kernels/task_lane.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kernels/worker_pool.h"

namespace accsim {
namespace {

// Spins until `flag` is set, at most 10 s (a lane that ran tasks inside post() would
// otherwise hang the test instead of failing it).
bool await(const std::atomic<bool>& flag) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!flag)
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

TEST(TaskLane, TasksRunInOrderOnAnotherThread) {
  std::vector<int> order;
  std::vector<std::thread::id> ran_on;
  {
    TaskLane lane(true);
    ASSERT_TRUE(lane.beside());
    for (int i = 0; i < 5; ++i)
      lane.post([&order, &ran_on, i] {
        order.push_back(i);
        ran_on.push_back(std::this_thread::get_id());
      });
    lane.wait();
  }
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  for (const auto& id : ran_on) EXPECT_NE(id, std::this_thread::get_id());
}

// The caller does not wait for a posted task: a task that waits for the caller finishes.
TEST(TaskLane, TheCallerGoesOnWhileATaskRuns) {
  std::atomic<bool> caller_went_on{false}, task_saw_it{false};
  TaskLane lane(true);
  lane.post([&] {
    task_saw_it = await(caller_went_on);
  });
  caller_went_on = true;
  lane.wait();
  EXPECT_TRUE(task_saw_it);
}

// Both threads are busy while the lane holds tasks: split jobs run on the calling thread
// (the lane's, and the caller's when the lane stays busy), every part once; afterwards
// the pool is used again.
TEST(TaskLane, RunPartsStaysOnTheCallingThreadWhileTheLaneIsBusy) {
  TaskLane lane(true);
  std::atomic<bool> release{false};
  std::vector<std::thread::id> lane_parts(3);
  lane.post([&] {
    run_parts(3, [&](int i) { lane_parts[static_cast<std::size_t>(i)] = std::this_thread::get_id(); });
    await(release);
  });
  std::vector<std::thread::id> caller_parts(3);
  run_parts(3, [&](int i) { caller_parts[static_cast<std::size_t>(i)] = std::this_thread::get_id(); });
  release = true;
  lane.wait();
  for (const auto& id : caller_parts) EXPECT_EQ(id, std::this_thread::get_id());
  for (const auto& id : lane_parts) EXPECT_EQ(id, lane_parts[0]);
  EXPECT_NE(lane_parts[0], std::this_thread::get_id());
  std::vector<std::thread::id> after(2);
  run_parts(2, [&](int i) { after[static_cast<std::size_t>(i)] = std::this_thread::get_id(); });
  EXPECT_NE(after[1], std::this_thread::get_id()) << "the pool should split again after wait()";
}

// A split job on the caller while the lane holds tasks queues its other parts behind
// them: a lane that gets free runs one (here part 0 waits for part 1 to have run).
TEST(TaskLane, ALaneThatGetsFreeRunsPartsOfTheCallersSplit) {
  TaskLane lane(true);
  lane.post([] {});
  std::atomic<bool> part1_ran{false};
  std::thread::id part1_on;
  bool part0_saw_it = false;
  run_parts(2, [&](int i) {
    if (i == 0) {
      part0_saw_it = await(part1_ran);
      return;
    }
    part1_on = std::this_thread::get_id();
    part1_ran = true;
  });
  lane.wait();
  EXPECT_TRUE(part0_saw_it);
  EXPECT_NE(part1_on, std::this_thread::get_id());
}

TEST(TaskLane, WaitRethrowsATasksException) {
  TaskLane lane(true);
  int after = 0;
  lane.post([] { throw std::runtime_error("task failed"); });
  lane.post([&after] { after = 1; });
  EXPECT_THROW(lane.wait(), std::runtime_error);
  EXPECT_EQ(after, 1);  // later tasks still ran
  lane.post([&after] { after = 2; });
  EXPECT_NO_THROW(lane.wait());  // the error was reported once
  EXPECT_EQ(after, 2);
}

TEST(TaskLane, ADisabledOrTakenLaneRunsTasksAtOnce) {
  TaskLane off(false);
  EXPECT_FALSE(off.beside());
  std::thread::id ran;
  off.post([&ran] { ran = std::this_thread::get_id(); });
  EXPECT_EQ(ran, std::this_thread::get_id());
  TaskLane owner(true);
  ASSERT_TRUE(owner.beside());
  TaskLane second(true);  // the one lane thread is owner's
  EXPECT_FALSE(second.beside());
  ran = {};
  second.post([&ran] { ran = std::this_thread::get_id(); });
  EXPECT_EQ(ran, std::this_thread::get_id());
}

}  // namespace
}  // namespace accsim
