#include "kernels/array_conv.h"

#include <immintrin.h>

#include <stdexcept>
#include <string>

#include "kernels/float_conv.h"
#include "kernels/int8_conv.h"
#include "kernels/register_vectors.h"

namespace accsim {

namespace {

// The datapath dispatch of every entry point: `out` must have the job's output shape.
void conv_into(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out,
               int threads) {
  if (ops.datatype != a.datatype)
    throw std::invalid_argument(job.layer + ": operands in " + to_string(ops.datatype) + " on a " +
                                to_string(a.datatype) + " array");
  auto decode = [&](const std::vector<std::uint32_t>& words) {
    std::vector<float> v(words.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = register_float(a.datatype, words[i]);
    return v;
  };
  switch (a.datatype) {
    case DataType::fp32: {
      const std::vector<float> in = decode(ops.input), w = decode(ops.weights);
      return float_conv<DataType::fp32>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr,
                                        region, out, threads);
    }
    case DataType::bf16: {
      const std::vector<float> in = decode(ops.input), w = decode(ops.weights);
      return float_conv<DataType::bf16>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr,
                                        region, out, threads);
    }
    case DataType::fp16: {
      const std::vector<std::uint16_t> in_words(ops.input.begin(), ops.input.end());
      const std::vector<std::uint16_t> w_words(ops.weights.begin(), ops.weights.end());
      // Exact F16C decoding; a vector holding a NaN keeps its payload (F16C would quiet
      // it): the kernels take input words back from the values.
      std::vector<float> in(in_words.size());
      std::size_t i = 0;
      for (; i + 8 <= in.size(); i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&in_words[i]));
        __m256 v = _mm256_cvtph_ps(h);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)))
          v = register_vectors::fp16_floats(_mm256_cvtepu16_epi32(h));
        _mm256_storeu_ps(&in[i], v);
      }
      for (; i < in.size(); ++i) in[i] = fp16_to_fp32(in_words[i]);
      return float_conv<DataType::fp16>(job, a, mapping, faults, pattern, in.data(), nullptr, in_words.data(),
                                        w_words.data(), region, out, threads);
    }
    case DataType::int8: return int8_conv(job, a, mapping, faults, pattern, ops, region, out);
  }
  throw std::logic_error("array_conv: unknown datatype");
}

void check_out(const ConvShape& s, const Tensor& out) {
  if (out.shape() != std::vector<int>{s.n, s.k, s.p(), s.q()})
    throw std::invalid_argument("array_conv_region: output " + out.shape_string() + " does not match the job");
}

}  // namespace

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads) {
  const ConvShape& s = job.shape;
  Tensor out({s.n, s.k, s.p(), s.q()}, Tensor::uninitialized);  // no region: every element written
  if (a.datatype == DataType::fp32)  // the registers hold the tensors' own bits
    float_conv<DataType::fp32>(job, a, mapping, faults, pattern, input.data(), weights.data(), nullptr, nullptr,
                               nullptr, out, threads);
  else
    conv_into(job, a, mapping, faults, pattern, encode_operands(a.datatype, input, weights), nullptr, out, threads);
  return out;
}

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const ArrayOperands& ops, int threads) {
  const ConvShape& s = job.shape;
  Tensor out({s.n, s.k, s.p(), s.q()}, Tensor::uninitialized);  // no region: every element written
  conv_into(job, a, mapping, faults, pattern, ops, nullptr, out, threads);
  return out;
}

void array_conv_region(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                       const ErrorPattern& pattern, const Tensor& input, const Tensor& weights,
                       const ConvRegion& region, Tensor& out, int threads) {
  check_out(job.shape, out);
  if (a.datatype == DataType::fp32)
    float_conv<DataType::fp32>(job, a, mapping, faults, pattern, input.data(), weights.data(), nullptr, nullptr,
                               &region, out, threads);
  else
    conv_into(job, a, mapping, faults, pattern, encode_operands(a.datatype, input, weights), &region, out, threads);
}

void array_conv_region(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                       const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion& region, Tensor& out,
                       int threads) {
  check_out(job.shape, out);
  conv_into(job, a, mapping, faults, pattern, ops, &region, out, threads);
}

}  // namespace accsim
