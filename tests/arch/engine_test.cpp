// The one rule for a job's stationary operand (arch/engine.h): [k, c, r, s], or a 1x1
// job's matrix [k, c] standing for [k, c, 1, 1].
#include <gtest/gtest.h>

#include <stdexcept>

#include "arch/engine.h"

namespace accsim {
namespace {

ConvJob job_of(int k, int c, int r) {
  ConvJob job;
  job.layer = "job";
  job.shape = {2, c, r, r, k, r, r, 1, 0};
  return job;
}

TEST(JobWeightDims, AMatrixStandsForAOneByOneKernelAndOtherRanksForNone) {
  EXPECT_EQ(job_weight_dims(Tensor({5, 3})), (KernelDims{5, 3, 1, 1}));
  EXPECT_EQ(job_weight_dims(Tensor({5, 3, 2, 2})), (KernelDims{5, 3, 2, 2}));
  EXPECT_EQ(job_weight_dims(Tensor({5, 3, 1})), std::nullopt);
  EXPECT_EQ(job_weight_dims(Tensor({15})), std::nullopt);
}

TEST(JobWeightDims, CheckJobOperandsTakesAMatrixForAOneByOneJobOnly) {
  const ConvJob fc = job_of(5, 3, 1), conv = job_of(5, 3, 2);
  const Tensor x1({2, 3, 1, 1}), x2({2, 3, 2, 2});
  EXPECT_NO_THROW(check_job_operands(fc, x1, Tensor({5, 3})));
  EXPECT_NO_THROW(check_job_operands(fc, x1, Tensor({5, 3, 1, 1})));
  EXPECT_NO_THROW(check_job_operands(conv, x2, Tensor({5, 3, 2, 2})));
  for (const std::vector<int>& bad : {std::vector<int>{3, 5}, {5, 3, 1}, {15}, {5, 4}, {5, 3, 1, 1, 1}})
    EXPECT_THROW(check_job_operands(fc, x1, Tensor(bad)), std::invalid_argument) << Tensor(bad).shape_string();
  EXPECT_THROW(check_job_operands(conv, x2, Tensor({5, 12})), std::invalid_argument);
  EXPECT_THROW(check_job_operands(fc, Tensor({2, 3}), Tensor({5, 3})), std::invalid_argument);  // input [n, c, h, w] only
  EXPECT_THROW(check_job_operands(fc, Tensor({2, 3, 1, 2}), Tensor({5, 3})), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
