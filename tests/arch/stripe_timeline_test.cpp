#include "arch/stripe_timeline.h"

#include <gtest/gtest.h>

#include "arch/job_timing.h"
#include "test_util.h"

namespace accsim {
namespace {

TEST(StripeTimeline, LastStripeEndPlusPipelineEqualsTheClosedFormCycles) {
  Rng rng(17);
  for (int t = 0; t < 30; ++t) {
    ArrayConfig a = testing::preset(t % 2 ? "large" : "small");
    a.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(400));
    a.stripe_length = 1 + static_cast<int>(rng.below(33));
    ConvShape s{1 + static_cast<int>(rng.below(2)), 1 + static_cast<int>(rng.below(100)), 5, 6,
                1 + static_cast<int>(rng.below(70)), 3, 2, 1 + static_cast<int>(rng.below(2)), 1};
    Schedule sched(s, a);
    StripeTimeline tl(sched);
    const long long last = tl.stripes() - 1;
    EXPECT_EQ(tl.start(last) + sched.stripe(last).length + a.mac_pipeline_depth, closed_form_timing(s, a).cycles);
  }
}

TEST(StripeTimeline, CyclesWhileWaitingForWeightsBelongToNoStripe) {
  ArrayConfig a = testing::preset("small");
  a.weight_load_bytes_per_cycle = 4;  // 64 cycles per load, stripes of at most 16: stalls
  ConvShape s{1, 8, 4, 4, 8, 1, 1, 1, 0};  // 16 pixels: one stripe
  Schedule sched(s, a);
  StripeTimeline tl(sched);
  EXPECT_EQ(tl.stripe_at(0), -1);
  EXPECT_EQ(tl.stripe_at(63), -1);
  EXPECT_EQ(tl.stripe_at(64), 0);
  EXPECT_EQ(tl.stripe_at(79), 0);
  EXPECT_EQ(tl.stripe_at(80), -1);
  EXPECT_EQ(tl.next_reader(70, 3), -1);  // slot 3 was read at cycle 67: nothing reads it again
  EXPECT_EQ(tl.next_reader(60, 3), 0);
}

}  // namespace
}  // namespace accsim
