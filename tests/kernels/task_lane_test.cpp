// A task lane runs its tasks in order on another thread while the caller goes on (and
// runs those still queued, and parts of the lane's splits, when it waits), makes
// run_parts run parts on the calling thread meanwhile, reports a task's exception at
// wait(), and runs tasks at once when disabled or when another lane owns the thread.
#include "kernels/task_lane.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "await_flag.h"
#include "kernels/fork_child.h"
#include "kernels/worker_pool.h"

namespace accsim {
namespace {

using testing::await;

TEST(TaskLane, TasksRunInOrderOnAnotherThread) {
  std::vector<int> order;
  std::vector<std::thread::id> ran_on;
  std::mutex m;
  std::atomic<bool> go{false};
  TaskLane lane(true);
  ASSERT_TRUE(lane.beside());
  for (int i = 0; i < 5; ++i)
    lane.post([&, i] {
      std::lock_guard<std::mutex> lock(m);
      order.push_back(i);
      ran_on.push_back(std::this_thread::get_id());
      if (i == 4) go = true;
    });
  ASSERT_TRUE(await(go));  // before wait(), which would run what is still queued
  lane.wait();
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

// Both threads are busy while the lane holds tasks: a split job on the caller while the
// lane stays busy runs every part on the calling thread, once; once the lane is gone the
// pool splits again.
TEST(TaskLane, RunPartsStaysOnTheCallingThreadWhileTheLaneIsBusy) {
  std::vector<std::thread::id> caller_parts(3);
  std::vector<std::atomic<int>> runs(3);
  {
    TaskLane lane(true);
    std::atomic<bool> started{false}, release{false};
    lane.post([&] {
      started = true;
      await(release);
    });
    ASSERT_TRUE(await(started));  // on the lane's thread, not left for wait() to run here
    run_parts(3, [&](int i) {
      caller_parts[static_cast<std::size_t>(i)] = std::this_thread::get_id();
      ++runs[static_cast<std::size_t>(i)];
    });
    release = true;
    lane.wait();
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(caller_parts[static_cast<std::size_t>(i)], std::this_thread::get_id()) << "part " << i;
    EXPECT_EQ(runs[static_cast<std::size_t>(i)], 1) << "part " << i;
  }
  std::vector<std::thread::id> after(2);
  run_parts(2, [&](int i) { after[static_cast<std::size_t>(i)] = std::this_thread::get_id(); });
  EXPECT_NE(after[1], std::this_thread::get_id()) << "the pool should split again without a lane";
}

// An idle lane's owner splits on the lane's thread instead of the pool's: here part 0
// waits for part 1 to have run.
TEST(TaskLane, AnIdleLanesOwnerSplitsWithTheLane) {
  TaskLane lane(true);
  std::thread::id lane_thread;
  std::atomic<bool> seen{false};
  lane.post([&] {
    lane_thread = std::this_thread::get_id();
    seen = true;
  });
  ASSERT_TRUE(await(seen));
  lane.wait();
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
  EXPECT_EQ(part1_on, lane_thread);
}

// A split job on the caller while the lane holds tasks queues its other parts behind
// them: a lane that gets free runs one (here part 0 waits for part 1 to have run).
TEST(TaskLane, ALaneThatGetsFreeRunsPartsOfTheCallersSplit) {
  TaskLane lane(true);
  std::atomic<bool> part0_started{false}, part1_ran{false};
  lane.post([&] { await(part0_started); });  // busy until the split has queued its part 1
  std::thread::id part1_on;
  bool part0_saw_it = false;
  run_parts(2, [&](int i) {
    if (i == 0) {
      part0_started = true;
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

// wait() runs the tasks the lane has not started on the caller: here the lane's thread
// is held by its first task until the second has run.
TEST(TaskLane, WaitRunsQueuedTasksOnTheCaller) {
  TaskLane lane(true);
  std::atomic<bool> second_ran{false};
  bool first_saw_it = false;
  std::thread::id second_on;
  lane.post([&] { first_saw_it = await(second_ran); });
  lane.post([&] {
    second_on = std::this_thread::get_id();
    second_ran = true;
  });
  lane.wait();
  EXPECT_TRUE(first_saw_it);
  EXPECT_EQ(second_on, std::this_thread::get_id());
}

// A split job on the lane's thread offers its other parts to the caller's wait(): here
// the lane's part 0 waits for part 1, which the waiting caller runs.
TEST(TaskLane, AWaitingCallerRunsPartsOfTheLanesSplit) {
  TaskLane lane(true);
  std::atomic<bool> started{false}, part1_ran{false};
  std::thread::id part1_on;
  bool part0_saw_it = false;
  lane.post([&] {
    started = true;
    run_parts(2, [&](int i) {
      if (i == 0) {
        part0_saw_it = await(part1_ran);
        return;
      }
      part1_on = std::this_thread::get_id();
      part1_ran = true;
    });
  });
  ASSERT_TRUE(await(started));  // on the lane's thread, not left for wait() to run here
  lane.wait();
  EXPECT_TRUE(part0_saw_it);
  EXPECT_EQ(part1_on, std::this_thread::get_id());
}

// queued() counts posted tasks not started, not the parts a split queues.
TEST(TaskLane, QueuedCountsPostedTasksNotStarted) {
  TaskLane lane(true);
  std::atomic<bool> started{false}, release{false};
  lane.post([&] {
    started = true;
    await(release);
  });
  ASSERT_TRUE(await(started));
  EXPECT_EQ(lane.queued(), 0);
  lane.post([] {});
  EXPECT_EQ(lane.queued(), 1);
  int seen_in_split = -1;
  run_parts(2, [&](int i) {
    if (i == 1) seen_in_split = lane.queued();
  });
  EXPECT_EQ(seen_in_split, 1);
  release = true;
  lane.wait();
  EXPECT_EQ(lane.queued(), 0);
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

// A fork child of a process whose lane is owned (tests fork commands) has no lane thread:
// its splits and its own lanes' tasks run on its one thread.
TEST(TaskLane, AForkChildRunsItsPartsAndTasksItself) {
  TaskLane lane(true);
  ASSERT_TRUE(lane.beside());
  lane.post([] {});
  lane.wait();  // the lane's thread exists in this process
  run_parts(3, [](int) {});  // and so does the pool, as in any process that forks a command
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<int> runs(3, 0);
    run_parts(3, [&](int i) { ++runs[static_cast<std::size_t>(i)]; });
    TaskLane own(true);
    int ran = 0;
    own.post([&ran] { ran = 1; });
    _exit(runs == std::vector<int>{1, 1, 1} && !own.beside() && ran == 1 ? 0 : 1);
  }
  expect_child_succeeds(pid);
}

}  // namespace
}  // namespace accsim
