// Conv, Gemm and MatMul: the operators that run on the simulated array.
#include <algorithm>
#include <stdexcept>

#include "kernels/activations.h"
#include "kernels/split_rows.h"
#include "workloads/models/operator_table.h"
#include "workloads/models/pdp_fusion.h"
#include "workloads/models/relu_clip.h"

namespace accsim {

ArrayRunner::SwizzleSeed swizzle_seed(const Node& node) {
  if (!node.has(kSwizzleSeedAttribute)) return std::nullopt;
  return static_cast<std::uint64_t>(node.get_int(kSwizzleSeedAttribute, 0));
}

ConvAttributes conv_attributes(const Node& node) {
  ConvAttributes a;
  a.group = static_cast<int>(node.get_int("group", 1));
  const auto strides = node.get_ints("strides", {1, 1});
  const auto dilations = node.get_ints("dilations", {1, 1});
  a.stride = static_cast<int>(strides.at(0));
  a.dilation = static_cast<int>(dilations.at(0));
  const auto pads = node.get_ints("pads", {0, 0, 0, 0});
  a.pads = {static_cast<int>(pads.at(0)), static_cast<int>(pads.at(1)), static_cast<int>(pads.at(2)), static_cast<int>(pads.at(3))};
  return a;
}

namespace {

void check_swizzle_seed(const Node& node) {
  if (node.get_int(kSwizzleSeedAttribute, 0) < 0)
    throw std::invalid_argument(std::string(kSwizzleSeedAttribute) + " must be an integer >= 0");
}

void check_conv(const Node& node, const Graph& g) {
  check_swizzle_seed(node);
  const auto& x = g.shape_of(node.input(0));
  const auto& w = g.shape_of(node.input(1));
  if (x.size() != 4 || w.size() != 4) throw std::invalid_argument("only 2-D convolutions ([N,C,H,W] input, [K,C/group,R,S] weights) are supported");
  const std::string auto_pad = node.get_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") throw std::invalid_argument("auto_pad " + auto_pad + " is not supported (export explicit pads)");
  const auto strides = node.get_ints("strides", {1, 1});
  const auto dilations = node.get_ints("dilations", {1, 1});
  const auto pads = node.get_ints("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || strides[0] != strides[1] || strides[0] < 1)
    throw std::invalid_argument("strides must be equal in both dimensions and >= 1, got " + std::to_string(strides.at(0)) + "," + std::to_string(strides.size() > 1 ? strides[1] : 0));
  if (dilations.size() != 2 || dilations[0] != dilations[1] || dilations[0] < 1)
    throw std::invalid_argument("dilations must be equal in both dimensions and >= 1");
  if (dilations[0] > 1 && strides[0] > 1) throw std::invalid_argument("dilation > 1 is supported with stride 1 only");
  if (pads.size() != 4 || *std::min_element(pads.begin(), pads.end()) < 0) throw std::invalid_argument("pads must be 4 values >= 0");
  const long long group = node.get_int("group", 1);
  if (group < 1 || x[1] % group || w[0] % group || w[1] * group != x[1])
    throw std::invalid_argument("group " + std::to_string(group) + " does not divide the " + std::to_string(x[1]) +
                                " input and " + std::to_string(w[0]) + " output channels");
}

std::vector<Tensor> run_conv(OperatorContext& c) {
  ConvAttributes a = conv_attributes(c.node);
  a.pool = fused_pool(c.graph, c.node);  // PDP on the fly: the jobs' timing and write-back only
  Tensor y = c.array.conv(c.node.name, c.in(0), c.in(1), a, swizzle_seed(c.node));
  const Tensor* bias = c.inputs.size() > 2 ? c.inputs[2] : nullptr;
  const int threads = c.array.host_threads();
  if (c.fused_relu && bias) add_bias_relu(y, *bias, relu_clip(*c.fused_relu), threads);  // one sweep (graph_fusion.h)
  else if (bias) add_bias(y, *bias, threads);  // on the host (SDP)
  else if (c.fused_relu) clipped_relu_in_place(y, relu_clip(*c.fused_relu), threads);
  return one_output(std::move(y));
}

void check_gemm(const Node& node, const Graph& g) {
  check_swizzle_seed(node);
  if (g.shape_of(node.input(0)).size() != 2 || g.shape_of(node.input(1)).size() != 2)
    throw std::invalid_argument("Gemm operands must be matrices");
  if (!node.input(2).empty() && g.int_constants.count(node.input(2))) throw std::invalid_argument("C must be float");
}

// Rows [first, last) of y [m, n] = alpha * y + beta * C (C: nullptr, a scalar, [n], [1, n],
// [m, 1] or [m, n]): each element as alpha * y, then + beta * C.
void scale_and_add_rows(Tensor& y, float alpha, const Tensor* c, float beta, std::size_t first, std::size_t last) {
  const std::size_t n = static_cast<std::size_t>(y.dim(1));
  const bool c_rows = c && c->rank() == 2 && c->dim(0) != 1;
  const bool c_cols = c && c->rank() > 0 && c->dim(c->rank() - 1) != 1;
  for (std::size_t i = first; i < last; ++i) {
    float* row = y.data() + i * n;
    if (alpha != 1.0f)
      for (std::size_t j = 0; j < n; ++j) row[j] *= alpha;
    if (!c) continue;
    const float* c_row = c->data() + (c_rows ? i * (c_cols ? n : 1) : 0);
    if (c_cols) {
      for (std::size_t j = 0; j < n; ++j) row[j] += beta * c_row[j];
    } else {
      const float add = beta * c_row[0];  // the product each element gets (fp-contract off: no fma)
      for (std::size_t j = 0; j < n; ++j) row[j] += add;
    }
  }
}

// The same over all rows, split over the host threads.
void scale_and_add_c(Tensor& y, float alpha, const Tensor* c, float beta, int threads) {
  const std::size_t m = static_cast<std::size_t>(y.dim(0)), n = static_cast<std::size_t>(y.dim(1));
  split_rows(threads, m, n, [&](std::size_t first, std::size_t last) { scale_and_add_rows(y, alpha, c, beta, first, last); });
}

// alpha * op(A) op(B) + beta * C: the product on the array, scaling and C on the host.
std::vector<Tensor> run_gemm(OperatorContext& c) {
  Tensor y = c.array.gemm(c.node.name, c.in(0), c.in(1), c.node.get_int("transA", 0) != 0, c.node.get_int("transB", 0) != 0,
                          swizzle_seed(c.node));
  const float alpha = c.node.get_float("alpha", 1.0f), beta = c.node.get_float("beta", 1.0f);
  const Tensor* bias = c.inputs.size() > 2 ? c.inputs[2] : nullptr;
  if (alpha != 1.0f || bias) scale_and_add_c(y, alpha, bias, beta, c.array.host_threads());
  return one_output(std::move(y));
}

void check_matmul(const Node& node, const Graph& g) {
  check_swizzle_seed(node);
  if (g.shape_of(node.input(0)).empty() || g.shape_of(node.input(1)).empty())
    throw std::invalid_argument("MatMul operands must have rank >= 1");
}

std::vector<Tensor> run_matmul(OperatorContext& c) {
  return one_output(c.array.matmul(c.node.name, c.in(0), c.in(1), swizzle_seed(c.node)));
}

}  // namespace

const std::vector<OperatorDef>& array_operators() {
  static const std::vector<OperatorDef> table = {
      {"Conv", true, run_conv, check_conv},
      {"Gemm", true, run_gemm, check_gemm},
      {"MatMul", true, run_matmul, check_matmul},
  };
  return table;
}

}  // namespace accsim
