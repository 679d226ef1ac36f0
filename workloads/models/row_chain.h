#pragma once
// A chain of row-local host operators computed in one pass (graph_fusion.h finds them: the
// exported LayerNorm's nine nodes and GELU's five): rows are x's last dimension; each step
// is an element-wise operator on x, earlier steps' results and constants, or a mean over
// the row. Per element every step is the operation its node would compute (the same C
// library calls, the same float roundings, the same order of the mean's sum), so the bits
// are those of the nodes run one by one, on any thread count.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

enum class RowOp : std::uint8_t { add, sub, mul, div, pow, erf, sqrt, mean };

struct RowOperand {
  enum class Kind : std::uint8_t { input, step, constant };
  Kind kind = Kind::input;
  int step = 0;          // Kind::step: an earlier step's index
  std::string constant;  // Kind::constant: the initializer's name (size 1, or the row's length)
};

struct RowStep {
  RowOp op = RowOp::add;
  std::vector<RowOperand> operands;  // in the node's input order: 1 (erf, sqrt, mean) or 2
  bool per_row = false;              // one value per row (a mean, or arithmetic on such values)
};

struct RowChain {
  std::string input, output;  // x, and the last step's value
  std::vector<RowStep> steps;
};

// The chain over x; constants are looked up in `constants` (the graph's initializers, read
// at run time: a PVF corrupts them in place). With `consumed` (x's own value, read by no
// one after the chain) the result is written over it and moved out. Rows split over
// `threads` (split_rows.h).
Tensor run_row_chain(const RowChain& chain, const Tensor& x, const std::map<std::string, Tensor>& constants, int threads,
                     Tensor* consumed = nullptr);

}  // namespace accsim
