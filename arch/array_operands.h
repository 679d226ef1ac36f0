#pragma once
// A job's operands as the array holds them: one register word per element, in the
// array's number format (arch/number_format.h), and for int8 the per-tensor scales.
// Host tensors stay fp32; every engine converts here, at the array boundary (job
// operands in, job output out), so inference, training and campaigns need no change.
#include <cstdint>
#include <vector>

#include "arch/conv_job.h"
#include "arch/number_format.h"
#include "arch/tensor.h"

namespace accsim {

struct ArrayOperands {
  DataType datatype = DataType::fp32;
  std::vector<std::uint32_t> input;    // streamed operand [n, c, h, w]: register words
  std::vector<std::uint32_t> weights;  // stationary operand [k, c, r, s]: register words
  float input_scale = 1.0f, weight_scale = 1.0f;  // int8: an operand is int8(word) * scale
  // int8: a job output is fp32(accumulator) * output_scale().
  float output_scale() const { return fp32_mul(weight_scale, input_scale); }
};

// The per-tensor scale of `x` in format t (int8: arch/number_format.h; others: 1).
float tensor_scale(DataType t, const Tensor& x);
// The register word of host value x: fp32 bits; fp16/bf16 rounded to nearest even;
// int8 quantised with `scale`, two's complement in the low 8 bits.
std::uint32_t encode_word(DataType t, float x, float scale);
std::vector<std::uint32_t> encode_tensor(DataType t, const Tensor& x, float scale);
ArrayOperands encode_operands(DataType t, const Tensor& input, const Tensor& weights);
// The value a register word stands for, in fp32 (int8: int8(word) * scale).
float decode_word(DataType t, std::uint32_t word, float scale);
// The tensor as the array sees it: decode(encode(x)) element by element.
Tensor round_to_format(DataType t, const Tensor& x);

// The job output of an accumulator word: fp32 as is; int8 dequantised.
inline float output_value(DataType t, std::uint32_t acc, float output_scale) {
  return is_integer(t) ? fp32_mul(static_cast<float>(static_cast<std::int32_t>(acc)), output_scale) : bits_float(acc);
}

// Throws std::invalid_argument when the operands do not match the job's shape.
void check_job_operands(const ConvJob& job, const ArrayOperands& operands);

}  // namespace accsim
