#pragma once
// An fp16 job whose operand words the test fills: the shared setup of the tests of
// fp16's word rules (slot kernels, engine equivalence).
#include <string>

#include "arch/array_operands.h"
#include "arch/conv_job.h"
#include "test_util.h"

namespace accsim::testing {

// On the small preset; the operand words (input [n, c, h, w], weights [k, c, r, s])
// sized for the shape and left zero.
struct Fp16WordJob {
  ArrayConfig array;
  ConvJob job;
  ArrayOperands ops;
};

inline Fp16WordJob fp16_word_job(const std::string& layer, const ConvShape& shape) {
  Fp16WordJob w{preset("small"), ConvJob{}, ArrayOperands{}};
  w.array.datatype = DataType::fp16;
  w.job.layer = layer;
  w.job.shape = shape;
  w.ops.datatype = DataType::fp16;
  w.ops.input.resize(static_cast<std::size_t>(shape.n) * shape.c * shape.h * shape.w);
  w.ops.weights.resize(static_cast<std::size_t>(shape.k) * shape.c * shape.r * shape.s);
  return w;
}

}  // namespace accsim::testing
