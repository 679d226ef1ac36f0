#include "arch/array_operands.h"

#include <stdexcept>
#include <string>

namespace accsim {

float tensor_scale(DataType t, const Tensor& x) { return is_integer(t) ? int8_scale(x.data(), x.size()) : 1.0f; }

std::uint32_t encode_word(DataType t, float x, float scale) {
  switch (t) {
    case DataType::fp32: return float_bits(x);
    case DataType::fp16: return fp32_to_fp16(x);
    case DataType::bf16: return fp32_to_bf16(x);
    case DataType::int8: return static_cast<std::uint8_t>(quantise_int8(x, scale));
  }
  return 0;
}

std::vector<std::uint32_t> encode_tensor(DataType t, const Tensor& x, float scale) {
  std::vector<std::uint32_t> words(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) words[i] = encode_word(t, x[i], scale);
  return words;
}

ArrayOperands encode_operands(DataType t, const Tensor& input, const Tensor& weights) {
  ArrayOperands ops;
  ops.datatype = t;
  ops.input_scale = tensor_scale(t, input);
  ops.weight_scale = tensor_scale(t, weights);
  ops.input = encode_tensor(t, input, ops.input_scale);
  ops.weights = encode_tensor(t, weights, ops.weight_scale);
  return ops;
}

float decode_word(DataType t, std::uint32_t word, float scale) {
  return is_integer(t) ? fp32_mul(static_cast<float>(sign_extend(word, 8)), scale) : register_float(t, word);
}

Tensor round_to_format(DataType t, const Tensor& x) {
  const float scale = tensor_scale(t, x);
  Tensor out(x.shape());
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = decode_word(t, encode_word(t, x[i], scale), scale);
  return out;
}

void check_job_operands(const ConvJob& job, const ArrayOperands& ops) {
  const ConvShape& s = job.shape;
  s.validate();
  const std::size_t in = static_cast<std::size_t>(s.n) * s.c * s.h * s.w;
  const std::size_t w = static_cast<std::size_t>(s.k) * s.c * s.r * s.s;
  if (ops.input.size() != in || ops.weights.size() != w)
    throw std::invalid_argument(job.layer + ": operand words (" + std::to_string(ops.input.size()) + " input, " +
                                std::to_string(ops.weights.size()) + " weights) do not match the job's shape");
}

}  // namespace accsim
