#include "arch/array_operands.h"

#include <immintrin.h>

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
  const float* in = x.data();
  std::uint32_t* out = words.data();
  std::size_t i = 0;
  // Eight at a time where the CPU converts exactly as encode_word does (tests compare).
  if (t == DataType::fp16) {
    const __m256i nan = _mm256_set1_epi32(kCanonicalNaNFp16);
    for (; i + 8 <= x.size(); i += 8) {
      const __m256 v = _mm256_loadu_ps(in + i);
      const __m256i h = _mm256_cvtepu16_epi32(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
      const __m256i is_nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_blendv_epi8(h, nan, is_nan));
    }
  } else if (t == DataType::int8) {
    const __m256 s = _mm256_set1_ps(scale), lo = _mm256_set1_ps(-127.0f), hi = _mm256_set1_ps(127.0f);
    for (; i + 8 <= x.size(); i += 8) {
      __m256 v = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(in + i), s), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
      v = _mm256_and_ps(v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));  // NaN -> 0
      v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
      const __m256i q = _mm256_and_si256(_mm256_cvtps_epi32(v), _mm256_set1_epi32(0xff));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), q);
    }
  }
  for (; i < x.size(); ++i) out[i] = encode_word(t, in[i], scale);
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
  Tensor out(x.shape(), Tensor::uninitialized);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = decode_word(t, encode_word(t, x[i], scale), scale);
  return out;
}

void check_job_operands(const ConvJob& job, const ArrayOperands& ops) {
  const ConvShape& s = job.shape;
  s.validate();
  validate_pdp_window(job.pool, s.p(), s.q());
  const std::size_t in = static_cast<std::size_t>(s.n) * s.c * s.h * s.w;
  const std::size_t w = static_cast<std::size_t>(s.k) * s.c * s.r * s.s;
  if (ops.input.size() != in || ops.weights.size() != w)
    throw std::invalid_argument(job.layer + ": operand words (" + std::to_string(ops.input.size()) + " input, " +
                                std::to_string(ops.weights.size()) + " weights) do not match the job's shape");
}

}  // namespace accsim
