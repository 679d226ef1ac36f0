// The array runner beside a task lane (a two-thread training step): every backward-weight
// job with a `later` slot goes to the lane whole, whatever the lane has queued, with the
// one-thread bits; jobs too small for a hand-off to pay run on the calling thread alone,
// larger ones are still shared with the lane's thread.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "arch/pe_faults.h"
#include "kernels/task_lane.h"
#include "await_flag.h"
#include "test_util.h"
#include "workloads/models/array_runner.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::count_bit_differences;
using testing::preset;
using testing::random_tensor;

using testing::await;

TEST(ArrayLane, BackwardWeightJobsGoToTheLaneWholeWhileItHasTasksQueued) {
  const ArrayConfig array = preset("small");
  HardwareFault f;  // a weight-register stuck-at: every pass's bits depend on the mapping
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  const PeFaults faults(array, {f});
  Rng rng(4);
  const Tensor x = random_tensor({24, 40}, rng), w = random_tensor({12, 40}, rng), gy = random_tensor({24, 12}, rng);
  FastEngine one(array, faults, 1), two(array, faults, 2);
  ArrayRunner alone(one, false), beside(two, false);
  TaskLane lane(true);
  ASSERT_TRUE(lane.beside());
  beside.set_lane(&lane);
  std::atomic<bool> started{false}, release{false};
  lane.post([&] {
    started = true;
    await(release);
  });
  ASSERT_TRUE(await(started));
  lane.post([] {});  // queued behind the task holding the lane's thread
  ASSERT_EQ(lane.queued(), 1);
  Tensor later[3];
  ArrayRunner::Gradients now[3];
  for (int i = 0; i < 3; ++i) {
    const std::string node = "fc" + std::to_string(i);
    now[i] = beside.gemm_backward(node, x, w, false, true, gy, true, {}, &later[i]);
    EXPECT_TRUE(now[i].second_later) << node;
  }
  release = true;
  lane.wait();
  for (int i = 0; i < 3; ++i) {
    const std::string node = "fc" + std::to_string(i);
    const ArrayRunner::Gradients expected = alone.gemm_backward(node, x, w, false, true, gy, true);
    EXPECT_EQ(count_bit_differences(now[i].first, expected.first), 0) << node;
    EXPECT_EQ(count_bit_differences(later[i], expected.second), 0) << node;
  }
  EXPECT_EQ(beside.cycles(), alone.cycles());
}

TEST(ArrayLane, OnlyJobsOfAtLeastShareMacsAreSharedWithTheLanesThread) {
  const ArrayConfig array = preset("small");
  const PeFaults none;
  FastEngine engine(array, none, 2);
  ArrayRunner runner(engine, false);
  TaskLane lane(true);
  ASSERT_TRUE(lane.beside());
  runner.set_lane(&lane);
  Rng rng(5);
  // LeNet-5's fc1 at batch 64 (2 M MACs, split by the engine at two threads), then a
  // Gemm of 5 M MACs.
  const Tensor a = random_tensor({64, 256}, rng), b = random_tensor({120, 256}, rng);
  const Tensor big_b = random_tensor({320, 256}, rng);
  ASSERT_LT(64LL * 256 * 120, ArrayRunner::kShareMacs);
  ASSERT_GE(64LL * 256 * 320, ArrayRunner::kShareMacs);
  const long long before = TaskLane::shared_splits();
  runner.gemm("fc1", a, b, false, true);
  EXPECT_EQ(TaskLane::shared_splits(), before);
  runner.gemm("big", a, big_b, false, true);
  EXPECT_GT(TaskLane::shared_splits(), before);
  lane.wait();
}

}  // namespace
}  // namespace accsim
