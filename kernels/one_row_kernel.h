#pragma once
// one_row_sums' kernel over a vector width (V: simd::Avx2Ops or simd::Avx512Ops with the
// stuck-at masks' operations), for one_row_sums.cpp (AVX2) and one_row_sums_avx512.cpp.
// Each lane is one output position: the same IEEE operations in the same order at any
// width. Internal linkage, like the kernel families that include it.
#include <cstdint>

#include "kernels/one_row_sums.h"

namespace accsim::one_row_sums {
namespace {

// Vectors of output positions computed side by side (independent chains keep the adder
// busy while each waits for its previous step).
constexpr int kBlock = 4;

// The stuck-at masks of one call as vectors.
template <class V>
struct Masks {
  typename V::bits im_keep, im_force, pm_keep, pm_force, ps_keep, ps_force;
  typename V::words im16_keep, im16_force;
  typename V::reg idle_leaf;
  explicit Masks(const OneRowInput& c)
      : im_keep(V::splat(c.im.keep)),
        im_force(V::splat(c.im.force)),
        pm_keep(V::splat(c.pm.keep)),
        pm_force(V::splat(c.pm.force)),
        ps_keep(V::splat(c.psum.keep)),
        ps_force(V::splat(c.psum.force)),
        im16_keep(V::splat16(static_cast<std::uint16_t>(c.im.keep & 0xffffu))),
        im16_force(V::splat16(static_cast<std::uint16_t>(c.im.force & 0xffffu))),
        idle_leaf(V::set1(c.idle_leaf)) {}
};

// How a kernel steps: one_row's template flags, a set of these bits.
constexpr unsigned kExact = 1, kProduct = 2, kEntries = 4, kIdle = 8;

// The column sum of step rs at lanes [lane, lane + V::lanes): the PE's product (through
// its masks, as column_trees' masked_row makes the leaf) + the idle leaves' +0 (and the
// one constant idle leaf, kIdle); exact: the psum register's view of it. LATER (a step
// after the first, not exact): without the +0, which turns only a -0 into +0: the entry
// it is added to is never -0 after the first step (the first sum is not, and a sum is -0
// only when both its operands are), and e + (-0) is e + (+0) for every other e.
template <class V, unsigned F, InputMask IN, bool LATER = false>
__attribute__((always_inline)) inline typename V::reg step_sum(const OneRowInput& c, const Masks<V>& m,
                                                               typename V::reg w, int rs, int lane) {
  const std::ptrdiff_t at = c.offset[rs] + lane;
  typename V::reg in;
  if constexpr (IN == InputMask::fp16_word)
    in = V::masked_words(c.tap_words + at, m.im16_keep, m.im16_force);
  else if constexpr (IN == InputMask::fp32_view)
    in = V::masked(V::load(c.taps + at), m.im_keep, m.im_force);
  else
    in = V::load(c.taps + at);
  typename V::reg p = V::mul(w, in);
  if constexpr ((F & kProduct) != 0) p = V::masked(V::canonical(p), m.pm_keep, m.pm_force);
  if constexpr ((F & kIdle) != 0) p = V::add(p, m.idle_leaf);
  if constexpr (LATER && (F & kExact) == 0) return p;
  typename V::reg sum = V::add(p, V::zero());
  if constexpr ((F & kExact) != 0) sum = V::masked(V::canonical(sum), m.ps_keep, m.ps_force);
  return sum;
}

// An entry after a step's accumulation: through its stuck mask (kEntries), else as it is.
template <class V, unsigned F>
__attribute__((always_inline)) inline typename V::reg through_entry(const OneRowInput& c, typename V::reg e, int lane) {
  if constexpr ((F & kEntries) != 0)
    return V::masked(e, V::load_bits(c.entry_keep + lane), V::load_bits(c.entry_force + lane));
  return e;
}

// B vectors from lane `lane`: every step, entries in registers. Exact accumulations are
// canonical: after every step where entries observe them, else once after the last (a
// NaN's payload changes no later sum; one step: the masked sum itself is the output).
template <class V, int B, unsigned F, InputMask IN>
__attribute__((always_inline)) inline void block(const OneRowInput& c, const Masks<V>& m, int lane, float* acc) {
  typename V::reg e[B];
  typename V::reg w = V::set1(c.w[0]);
  for (int j = 0; j < B; ++j)
    e[j] = through_entry<V, F>(c, step_sum<V, F, IN>(c, m, w, 0, lane + j * V::lanes), lane + j * V::lanes);
  for (int rs = 1; rs < c.steps; ++rs) {
    w = V::set1(c.w[rs]);
    for (int j = 0; j < B; ++j) {
      e[j] = V::add(e[j], step_sum<V, F, IN, true>(c, m, w, rs, lane + j * V::lanes));
      if constexpr ((F & kEntries) != 0) e[j] = through_entry<V, F>(c, V::canonical(e[j]), lane + j * V::lanes);
    }
  }
  if constexpr ((F & kExact) != 0 && (F & kEntries) == 0)
    if (c.steps > 1)
      for (int j = 0; j < B; ++j) e[j] = V::canonical(e[j]);
  for (int j = 0; j < B; ++j) V::store(acc + lane + j * V::lanes, e[j]);
}

template <class V, unsigned F, InputMask IN>
void one_row(const OneRowInput& c, int count, float* acc) {
  const Masks<V> m(c);
  const int vectors = (count + V::lanes - 1) / V::lanes;
  int v = 0;
  for (; v + kBlock <= vectors; v += kBlock) block<V, kBlock, F, IN>(c, m, v * V::lanes, acc);
  for (; v < vectors; ++v) block<V, 1, F, IN>(c, m, v * V::lanes, acc);
}

template <class V, unsigned F>
OneRowFn with_input(InputMask input) {
  switch (input) {
    case InputMask::none: return one_row<V, F, InputMask::none>;
    case InputMask::fp32_view: return one_row<V, F, InputMask::fp32_view>;
    case InputMask::fp16_word: return one_row<V, F, InputMask::fp16_word>;
  }
  return nullptr;
}

// The kind's flags as template arguments, one at a time; stuck entries only on the exact
// kernels (a column with them steps exactly).
template <class V, unsigned F>
OneRowFn with_idle(const OneRowKind& k) {
  return k.idle_leaf ? with_input<V, F | kIdle>(k.input) : with_input<V, F>(k.input);
}

template <class V, unsigned F>
OneRowFn with_entries(const OneRowKind& k) {
  if constexpr ((F & kExact) != 0) return k.entries ? with_idle<V, F | kEntries>(k) : with_idle<V, F>(k);
  return with_idle<V, F>(k);
}

template <class V, unsigned F>
OneRowFn with_product(const OneRowKind& k) {
  return k.product_mask ? with_entries<V, F | kProduct>(k) : with_entries<V, F>(k);
}

template <class V>
OneRowFn kernel_for(const OneRowKind& k) {
  return k.exact ? with_product<V, kExact>(k) : with_product<V, 0>(k);
}

}  // namespace
}  // namespace accsim::one_row_sums
