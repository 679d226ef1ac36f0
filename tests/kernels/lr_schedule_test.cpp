#include "kernels/lr_schedule.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace accsim {
namespace {

LrScheduleConfig schedule(const std::string& name, long long warmup) {
  LrScheduleConfig c;
  c.name = name, c.warmup_steps = warmup;
  return c;
}

TEST(LrSchedule, TheDefaultIsTheBaseLearningRateExactlyAtEveryStep) {
  const LrSchedule s(LrScheduleConfig{}, 0.01, 100);
  for (long long t : {0LL, 1LL, 99LL, 1000LL}) EXPECT_EQ(s.at(t), 0.01);
}

TEST(LrSchedule, WarmUpRisesLinearlyToTheBaseRateAtItsLastStep) {
  const LrSchedule s(schedule("constant", 4), 0.2, 10);
  EXPECT_DOUBLE_EQ(s.at(0), 0.05);
  EXPECT_DOUBLE_EQ(s.at(1), 0.1);
  EXPECT_DOUBLE_EQ(s.at(3), 0.2);
  EXPECT_DOUBLE_EQ(s.at(4), 0.2);
}

TEST(LrSchedule, CosineStartsAtTheBaseRateAfterWarmUpPassesTheMidpointAndEndsAtTheMinimum) {
  LrScheduleConfig c = schedule("cosine", 2);
  c.min_lr = 0.01;
  const LrSchedule s(c, 0.1, 12);  // decays over steps 2..11 (S = 10)
  EXPECT_DOUBLE_EQ(s.at(2), 0.1);
  EXPECT_DOUBLE_EQ(s.at(7), 0.055);  // s = 5 = S/2: halfway between base and minimum
  EXPECT_GT(s.at(11), 0.01);
  EXPECT_EQ(s.at(12), 0.01);  // past the total: held at the minimum
  EXPECT_EQ(s.at(50), 0.01);
}

TEST(LrSchedule, StepDecayMultipliesByGammaEveryStepSizeStepsAfterWarmUp) {
  LrScheduleConfig c = schedule("step", 1);
  c.step_size = 3, c.gamma = 0.5;
  const LrSchedule s(c, 0.4, 20);
  EXPECT_DOUBLE_EQ(s.at(0), 0.4);  // warm-up of one step: the base rate
  EXPECT_DOUBLE_EQ(s.at(3), 0.4);
  EXPECT_DOUBLE_EQ(s.at(4), 0.2);
  EXPECT_DOUBLE_EQ(s.at(10), 0.05);
}

TEST(LrSchedule, RejectsUnknownNamesAndValuesOutOfRange) {
  EXPECT_THROW(LrSchedule(schedule("linear", 0), 0.1, 10), std::invalid_argument);
  EXPECT_THROW(LrSchedule(schedule("constant", -1), 0.1, 10), std::invalid_argument);
  EXPECT_THROW(LrSchedule(schedule("constant", 0), 0.0, 10), std::invalid_argument);
  LrScheduleConfig c = schedule("cosine", 0);
  c.min_lr = 0.2;
  EXPECT_THROW(LrSchedule(c, 0.1, 10), std::invalid_argument);
  c = schedule("step", 0);
  c.step_size = 0;
  EXPECT_THROW(LrSchedule(c, 0.1, 10), std::invalid_argument);
  c.step_size = 1, c.gamma = 1.5;
  EXPECT_THROW(LrSchedule(c, 0.1, 10), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
