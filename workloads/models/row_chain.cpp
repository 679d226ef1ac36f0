#include "workloads/models/row_chain.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "kernels/split_rows.h"

namespace accsim {

namespace {

// An operand over a block of rows: its values, the step between them (0: one value for
// the row) and the step from one row to the next (0: the same values for every row).
struct Arg {
  const float* p = nullptr;
  std::size_t stride = 0, row_step = 0;
};

// A block of rows a step runs over: the values it writes per row (1 or the row's length),
// the row's length, and the rows; its output rows lie `length` apart.
struct Block {
  std::size_t n = 0, length = 0, rows = 0;
};

// Where both operands are NaN, x86 returns the first source's, but a compiler may swap a
// commutative operation's operands, and did in these loops: a NaN u is returned quieted,
// as the node-by-node kernels' loops return it (broadcast_ops.cpp; GraphFusion tests).
// Bit operations only: a branch on u (or a float compare) keeps the loops scalar.
inline float nan_of_u_first(float u, float r) {
  std::uint32_t ub, rb;
  std::memcpy(&ub, &u, sizeof ub);
  std::memcpy(&rb, &r, sizeof rb);
  const std::uint32_t nan = 0u - static_cast<std::uint32_t>((ub & 0x7fffffffu) > 0x7f800000u);
  const std::uint32_t out = (nan & (ub | 0x00400000u)) | (~nan & rb);  // the quiet bit set, as x86 does
  float y;
  std::memcpy(&y, &out, sizeof y);
  return y;
}

// The element-wise expressions of broadcast_ops.cpp and unary_ops.cpp, one IEEE operation
// (or C library call) each: fp-contract is off, so nothing fuses into an fma.
struct Add { float operator()(float u, float v) const { return nan_of_u_first(u, u + v); } };
struct Sub { float operator()(float u, float v) const { return u - v; } };
struct Mul { float operator()(float u, float v) const { return nan_of_u_first(u, u * v); } };
struct Div { float operator()(float u, float v) const { return u / v; } };
struct Pow { float operator()(float u, float v) const { return std::pow(u, v); } };
struct Erf { float operator()(float u) const { return std::erf(u); } };
struct Sqrt { float operator()(float u) const { return std::sqrt(u); } };

// out[i] = f(a[i], b[i]) over n per row; a one-value operand is read once (the loops vectorise).
template <class F>
void binary(const Arg& a, const Arg& b, const Block& k, float* out) {
  const F f;
  for (std::size_t r = 0; r < k.rows; ++r) {
    const float* pa = a.p + r * a.row_step;
    const float* pb = b.p + r * b.row_step;
    float* po = out + r * k.length;
    if (a.stride && b.stride) {
      for (std::size_t i = 0; i < k.n; ++i) po[i] = f(pa[i], pb[i]);
    } else if (a.stride) {
      const float v = pb[0];
      for (std::size_t i = 0; i < k.n; ++i) po[i] = f(pa[i], v);
    } else {
      const float u = pa[0];
      for (std::size_t i = 0; i < k.n; ++i) po[i] = f(u, pb[i * b.stride]);
    }
  }
}

template <class F>
void unary(const Arg& a, const Arg&, const Block& k, float* out) {
  const F f;
  for (std::size_t r = 0; r < k.rows; ++r)
    for (std::size_t i = 0; i < k.n; ++i) out[r * k.length + i] = f(a.p[r * a.row_step + i * a.stride]);
}

// The means of B rows as reduce_mean_rows (kernels/normalization.cpp) computes each: a
// double sum in index order added to a zero accumulator, divided once. B rows' sums at
// once: B independent chains of additions where one waited on each addition's latency.
template <std::size_t B>
void means(const Arg& a, std::size_t length, std::size_t first, float* out) {
  double sum[B] = {};
  for (std::size_t j = 0; j < length; ++j)
    for (std::size_t b = 0; b < B; ++b) sum[b] += a.p[(first + b) * a.row_step + j];
  for (std::size_t b = 0; b < B; ++b) {
    double acc = 0.0;
    acc += sum[b];
    out[(first + b) * length] = static_cast<float>(acc / static_cast<double>(length));
  }
}

void mean(const Arg& a, const Arg&, const Block& k, float* out) {
  std::size_t r = 0;
  for (; r + 4 <= k.rows; r += 4) means<4>(a, k.length, r, out);
  for (; r < k.rows; ++r) means<1>(a, k.length, r, out);
}

using StepFn = void (*)(const Arg&, const Arg&, const Block&, float*);
// By RowOp.
constexpr StepFn kStepFns[] = {binary<Add>, binary<Sub>, binary<Mul>, binary<Div>, binary<Pow>,
                               unary<Erf>,  unary<Sqrt>, mean};

// Rows a step runs over at a time: the operands of a few rows stay in L1, and a mean sums
// several rows at once (one row's sum is a chain of dependent additions).
constexpr std::size_t kBlockRows = 8;

// One step as a range of rows runs it: its function, its operands (x's rows where
// `from_x`, else fixed: a constant or the step's scratch) and where it writes (null: y).
struct PlannedStep {
  StepFn fn = nullptr;
  std::size_t n = 0;  // values written per row: 1 (per row) or the row's length
  Arg args[2];
  bool from_x[2] = {false, false};
  float* out = nullptr;
};

// The steps with their constants found; `scratch` (a range's own, kBlockRows rows a step)
// holds the steps' results.
std::vector<PlannedStep> plan_steps(const RowChain& chain, std::size_t length, const std::map<std::string, Tensor>& constants,
                                    float* scratch) {
  const std::size_t block = kBlockRows * length;
  std::vector<PlannedStep> plan(chain.steps.size());
  for (std::size_t s = 0; s < chain.steps.size(); ++s) {
    const RowStep& step = chain.steps[s];
    PlannedStep& p = plan[s];
    p.fn = kStepFns[static_cast<int>(step.op)];
    p.n = step.per_row ? 1 : length;
    p.out = s + 1 == chain.steps.size() ? nullptr : scratch + s * block;
    for (std::size_t k = 0; k < step.operands.size() && k < 2; ++k) {
      const RowOperand& o = step.operands[k];
      p.from_x[k] = o.kind == RowOperand::Kind::input;
      if (o.kind == RowOperand::Kind::step) {
        const std::size_t from = static_cast<std::size_t>(o.step);
        p.args[k] = {scratch + from * block, chain.steps.at(from).per_row ? 0u : 1u, length};
      } else if (o.kind == RowOperand::Kind::constant) {
        const Tensor& c = constants.at(o.constant);
        if (c.size() != 1 && c.size() != length) throw std::logic_error("row chain: constant " + o.constant + " does not fit a row");
        p.args[k] = {c.data(), c.size() == 1 ? 0u : 1u, 0};
      }
    }
  }
  return plan;
}

// The chain over rows [first, last) of x into y, step by step over blocks of rows (y may
// be x: a row's last step reads its operands at an index before it writes there, and x is
// read by no later block).
void run_rows(const RowChain& chain, const std::map<std::string, Tensor>& constants, const float* x, float* y,
              std::size_t length, std::size_t first, std::size_t last) {
  std::vector<float> scratch(chain.steps.size() * kBlockRows * length);
  const std::vector<PlannedStep> plan = plan_steps(chain, length, constants, scratch.data());
  for (std::size_t r = first; r < last; r += kBlockRows) {
    const std::size_t rows = std::min(kBlockRows, last - r);
    const Arg xs{x + r * length, 1, length};
    for (const PlannedStep& p : plan)
      p.fn(p.from_x[0] ? xs : p.args[0], p.from_x[1] ? xs : p.args[1], Block{p.n, length, rows}, p.out ? p.out : y + r * length);
  }
}

// The work of each step per value it reads, in elements of a simple element-wise operator
// (the unit of split_rows' threshold): callgrind's instructions per element in the ViT's
// chains (2026-11-30: powf and its loop 36, erff 30, the mean's double sum 5.3) over an
// add's (a vectorised loop, 1.25).
constexpr std::size_t kStepWork[] = {1, 1, 1, 1, 28, 23, 1, 4};  // by RowOp

std::size_t row_work(const RowChain& chain, std::size_t length) {
  std::size_t work = 0;
  for (const RowStep& step : chain.steps) {
    const std::size_t reads = step.per_row && step.op != RowOp::mean ? 1 : length;
    work += kStepWork[static_cast<int>(step.op)] * reads;
  }
  return work;
}

}  // namespace

Tensor run_row_chain(const RowChain& chain, const Tensor& x, const std::map<std::string, Tensor>& constants, int threads,
                     Tensor* consumed) {
  if (chain.steps.empty() || chain.steps.back().per_row || x.rank() == 0)
    throw std::logic_error("row chain: needs steps, a last step per element and a tensor input");
  const std::size_t length = static_cast<std::size_t>(x.dim(x.rank() - 1));
  Tensor y = consumed ? std::move(*consumed) : Tensor(x.shape(), Tensor::uninitialized);
  if (length == 0 || y.size() == 0) return y;
  const float* px = consumed ? y.data() : x.data();
  float* py = y.data();
  // Split by the chain's work, not its elements: a LayerNorm element costs about 40 adds.
  split_rows(threads, y.size() / length, row_work(chain, length),
             [&](std::size_t first, std::size_t last) { run_rows(chain, constants, px, py, length, first, last); });
  return y;
}

}  // namespace accsim
