#pragma once
// The slot kernels' masked operand (slot_sums::kMaskedOperand): when the masked row's input
// stuck-ats are one mask, each operand element the row reads in a chunk goes through it
// once, instead of once per position, step and vector of slots in the kernel (fp16: the
// word made, masked and converted back, ~9 instructions a leaf; fp32 and bf16: the mask on
// the fp32 view, a broadcast and a mask a leaf where a masked multiply reads the operand).
// Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// out[i] = x[i] (values decoded from fp16 words) through the input mask (keep, force) on
// the fp16 word, as the masked kernels applied it: operand_word (slot_trees.h: F16C's
// conversion, a NaN's word by fp16_word, payload kept), masked, F16C's conversion back.
inline void masked_fp16_operand(const float* x, long long n, std::uint32_t keep, std::uint32_t force, float* out) {
  const auto one = [&](float v) {
    const std::uint32_t word = v != v ? cs::fp16_word(v) : _cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT);
    return _cvtsh_ss(static_cast<unsigned short>((word & keep) | force));
  };
  const __m128i k = _mm_set1_epi16(static_cast<short>(keep)), f = _mm_set1_epi16(static_cast<short>(force));
  long long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q)) != 0) {  // a NaN: its word by fp16_word
      for (int j = 0; j < 8; ++j) out[i + j] = one(x[i + j]);
      continue;
    }
    const __m128i w = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT);
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, k), f)));
  }
  for (; i < n; ++i) out[i] = one(x[i]);
}

// out[i] = x[i] through the input mask (keep, force) on its fp32 view (fp32; bf16, whose
// masks plan_masks moved there), as the masked kernels applied it: bits moved, never
// computed on.
inline void masked_view_operand(const float* x, long long n, std::uint32_t keep, std::uint32_t force, float* out) {
  const __m256i k = _mm256_set1_epi32(static_cast<int>(keep)), f = _mm256_set1_epi32(static_cast<int>(force));
  long long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x + i));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_or_si256(_mm256_and_si256(v, k), f));
  }
  for (; i < n; ++i) out[i] = bits_float((float_bits(x[i]) & keep) | force);
}

// Whether the slots' input stuck-ats lie on one row, are one mask and come alone (no
// product masks on the row), in a job whose laid-out images have room for the masked
// operand: then sc.slot_operand, the mask in sc.slot_xm_mask and the lanes that read the
// masked operand in the plane after the psum masks (SlotInput::xm_lanes).
template <DataType T>
void FloatConv<T>::slot_operand_mask(int stride, Scratch& sc) const {
  sc.slot_operand = false;
  if (!operand_room_ || __builtin_popcount(sc.slot_input_rows) != 1 || sc.slot_product_rows != 0) return;
  const int row = __builtin_ctz(sc.slot_input_rows);
  std::uint32_t* lanes = sc.slot_masks.data() + 4 * static_cast<std::size_t>(rows_) * stride + 2 * stride;
  std::fill_n(lanes, stride, 0u);
  const StuckMask* mask = nullptr;
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const StuckMask& m = im_[static_cast<std::size_t>(sc.slots[j].second) * rows_ + row];
    if (m.identity()) continue;
    if (mask && (m.keep != mask->keep || m.force != mask->force)) return;
    mask = &m, lanes[j] = ~0u;
  }
  const std::uint32_t word = T == DataType::fp16 ? 0xffffu : ~0u;  // fp16: the mask on the word
  sc.slot_xm_mask = {mask->keep & word, mask->force & word};
  sc.slot_operand = true;
}

// The masked operand of the chunk's positions, lo to hi (batch group g0's blocks),
// one layout past the laid-out images in sc.laid (operand_room_): per block, every
// element from the first its masked row reads to the last; each step's offset of it
// (SlotInput::xm_off: the row's operand offset plus one layout).
template <DataType T>
void FloatConv<T>::slot_operand(int g0, std::ptrdiff_t lo, std::ptrdiff_t hi, Scratch& sc) const {
  const int row = __builtin_ctz(sc.slot_input_rows);
  const std::ptrdiff_t room = static_cast<std::ptrdiff_t>(layout_.size());
  float* x = sc.laid.data();
  sc.slot_xm_off.assign(static_cast<std::size_t>(blocks_) * RS_, 0);
  for (int b = 0; b < blocks_; ++b) {
    if (tables_.block_rows[static_cast<std::size_t>(g0) * blocks_ + b].used <= row) continue;
    const std::ptrdiff_t* off = &sc.slot_off[static_cast<std::size_t>(b) * RS_ * rows_ + row];
    std::ptrdiff_t o0 = off[0], o1 = off[0];
    for (int rs = 0; rs < RS_; ++rs) {
      o0 = std::min(o0, off[rs * rows_]), o1 = std::max(o1, off[rs * rows_]);
      sc.slot_xm_off[static_cast<std::size_t>(b) * RS_ + rs] = off[rs * rows_] + room;
    }
    const std::ptrdiff_t from = lo + o0;
    const auto masked_operand = T == DataType::fp16 ? masked_fp16_operand : masked_view_operand;
    masked_operand(x + from, hi + o1 - from + 1, sc.slot_xm_mask.first, sc.slot_xm_mask.second, x + room + from);
  }
}

}  // namespace
}  // namespace accsim
