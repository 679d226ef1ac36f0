#include <gtest/gtest.h>

#include <cstdlib>

#include "arch/tensor.h"

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  // Every element a kernel leaves unset is then a NaN the bit-identity tests catch.
  accsim::Tensor::poison_unset = true;
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
