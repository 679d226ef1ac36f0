// Fault-aware pruning: zeroing the weights a faulty PE meets makes weight-register
// stuck-at-0 and input-register faults harmless; stuck-at-1 still forces bits into the
// zeros (the limitation docs/config.md states).
#include "workloads/mitigations/fault_aware_pruning.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/inference.h"

namespace accsim {
namespace {

using testing::preset;

HardwareFault fault(FaultSite site, int row, int col, int bit, FaultKind kind) {
  HardwareFault f;
  f.site = site, f.row = row, f.col = col, f.bit = bit, f.kind = kind;
  return f;
}

NetworkRun run(const Network& net, const NetworkParameters& p, const ArrayConfig& a, const std::vector<HardwareFault>& faults) {
  Rng rng(4);
  const Tensor images = testing::random_tensor({3, 1, 28, 28}, rng, 0.0f, 1.0f);
  const PeFaults pf(a, faults);
  FastEngine engine(a, pf);
  return run_network(net, p, images, engine);
}

TEST(FaultAwarePruning, PrunedWeightsMakeStuckAtZeroAndInputFaultsHarmlessUnderEverySwizzle) {
  const Network net = lenet5();
  for (SwizzlePolicy policy : {SwizzlePolicy::none, SwizzlePolicy::rotate, SwizzlePolicy::random}) {
    ArrayConfig a = preset("small");
    a.swizzle = policy;
    const std::vector<HardwareFault> faults = {fault(FaultSite::weight, 2, 3, 28, FaultKind::stuck_at_0),
                                               fault(FaultSite::weight, 0, 0, 30, FaultKind::stuck_at_0),
                                               fault(FaultSite::input, 5, 1, 29, FaultKind::stuck_at_1)};
    NetworkParameters p = init_parameters(net, 9);
    const NetworkRun unpruned_bad = run(net, p, a, faults), unpruned_good = run(net, p, a, {});
    EXPECT_GT(testing::count_bit_differences(unpruned_bad.logits, unpruned_good.logits), 0);
    EXPECT_GT(apply_pruning(p, pruning_masks(net, a, faults)), 0);
    const NetworkRun bad = run(net, p, a, faults), good = run(net, p, a, {});
    EXPECT_EQ(testing::count_bit_differences(bad.logits, good.logits), 0) << to_string(policy);
  }
}

TEST(FaultAwarePruning, AStuckAtOneStillForcesItsBitIntoThePrunedZeros) {
  const Network net = lenet5();
  const ArrayConfig a = preset("small");
  const std::vector<HardwareFault> faults = {fault(FaultSite::weight, 2, 3, 30, FaultKind::stuck_at_1)};  // 0 -> 2.0
  NetworkParameters p = init_parameters(net, 9);
  apply_pruning(p, pruning_masks(net, a, faults));
  EXPECT_GT(testing::count_bit_differences(run(net, p, a, faults).logits, run(net, p, a, {}).logits), 0);
}

TEST(FaultAwarePruning, MasksCoverExactlyTheFootprintOfTheFaultyPe) {
  const Network net = lenet5();
  const ArrayConfig a = preset("small");
  const auto masks = pruning_masks(net, a, {fault(FaultSite::product, 5, 3, 1, FaultKind::stuck_at_0)});
  // conv2 [16, 6, 5, 5]: ic 5 on row 5, oc 3 and 11 on column 3 -> 2 kernels of 25.
  long long conv2 = 0;
  for (auto m : masks[1]) conv2 += m;
  EXPECT_EQ(conv2, 50);
  // conv1 has one input channel: row 5 is idle, nothing to prune.
  long long conv1 = 0;
  for (auto m : masks[0]) conv1 += m;
  EXPECT_EQ(conv1, 0);
}

}  // namespace
}  // namespace accsim
