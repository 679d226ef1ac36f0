#pragma once
// The column sum of one atomic operation hit by transient flips, scalar, on register
// words in the datapath's order (input register, multiplier, product flips, adder
// tree, psum), exactly as PeArray computes it: the fast kernels recompute these few
// sums instead of vectorising them. Internal to array_conv.
#include <cstdint>
#include <vector>

#include "arch/error_pattern.h"
#include "arch/pe_array.h"
#include "arch/pe_faults.h"

namespace accsim {

// `w_words`: the column's weight words before their stuck-at masks; `x_words`: the
// broadcast input words; `p`: scratch. `live`: rows [live, rows) are idle PEs whose
// leaves are word 0 (+0: operand +0, a finite non-negative weight register, no input or
// product mask) and hit by no flip; only rows [0, live) are read. With a power-of-two
// `rows` the tree then runs over the smallest power of two P >= live, and adds the idle
// half's +0 once when P == live < rows (as column_sums folds idle rows: a sum that took
// a +0 is never -0, so further +0s change nothing).
template <class D>
std::uint32_t flipped_psum(const PeFaults& faults, int rows, const PsumFlips& f, const std::uint32_t* w_words,
                           const std::uint32_t* x_words, std::vector<std::uint32_t>& p, int live = -1) {
  const int col = f.at.col;
  int tree = rows;
  if (live >= 0 && live < rows && (rows & (rows - 1)) == 0)
    for (tree = 1; tree < live;) tree *= 2;
  else
    live = rows;
  p.assign(static_cast<std::size_t>(tree), 0u);
  for (int row = 0; row < live; ++row) {
    std::uint32_t wx = 0, ix = 0, px = 0;
    for (const auto& x : f.weight) wx ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.input) ix ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.product) px ^= x.row == row ? x.mask : 0;
    const std::uint32_t w = faults.weight(row, col).apply(w_words[row] ^ wx);
    const std::uint32_t x = faults.input(row, col).apply(x_words[row] ^ ix);
    const StuckMask& pm = faults.product(row, col);
    p[row] = D::tree_input(pm.apply(pm.apply(D::multiply(w, x)) ^ px));
  }
  adder_tree(p.data(), tree, 1, [](std::uint32_t a, std::uint32_t b) { return D::add(a, b); });
  if (tree == live && tree < rows) p[0] = D::add(p[0], 0u);
  const StuckMask& sm = faults.psum(col);
  return sm.apply(sm.apply(p[0]) ^ f.psum);
}

}  // namespace accsim
