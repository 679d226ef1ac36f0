// Backward passes of the host operators: elementwise arithmetic and activations,
// normalisations, mean reductions and pooling, each a thin adapter from a node to the
// gradient kernels (kernels/*_gradients.h, kernels/pooling.h).
#include <algorithm>
#include <cmath>

#include "kernels/activations.h"
#include "kernels/broadcast_ops.h"
#include "kernels/elementwise_gradients.h"
#include "kernels/normalization_gradients.h"
#include "kernels/pooling.h"
#include "workloads/models/operator_table.h"
#include "workloads/models/relu_clip.h"
#include "workloads/training/gradient_table.h"

namespace accsim {

namespace {

template <BinaryOp op>
InputGradients binary(GradientContext& c) {
  BinaryGradients g = binary_backward(c.in(0), c.in(1), c.out(0), c.grad(0), op);
  return gradients(std::move(g.a), std::move(g.b));
}

template <UnaryOp op>
InputGradients unary(GradientContext& c) {
  return gradients(unary_backward(c.in(0), c.out(0), c.grad(0), op, c.node().get_float("alpha", 0.01f)));
}

// The gradient passes unchanged (Identity, Dropout as inference-time identity, Cast to float).
InputGradients pass_through(GradientContext& c) { return gradients(c.grad(0)); }

// The chain trainer's ReLU backward (a +0 where x <= 0, as PyTorch's threshold_backward;
// a stuck-at bit on a -0 would give another value). Unclipped, it reads y = relu(x)
// instead: y <= 0 exactly where x <= 0 (y is +0 or -0 there) and y is NaN where x is, so
// the forward pass may write y over x (relu_reads_input).
InputGradients relu_back(GradientContext& c) {
  const ActivationClip clip = relu_clip(c.node());
  if (clip.mode == ClipMode::none) return gradients(relu_backward(c.out(0), c.grad(0)));
  return gradients(clipped_relu_backward(c.in(0), c.grad(0), clip));
}

bool relu_reads_input(const Node& relu) { return relu_clip(relu).mode != ClipMode::none; }

// Clip passes the gradient where x lies inside [min, max] (PyTorch's clamp).
InputGradients clip_back(GradientContext& c) {
  const Tensor& x = c.in(0);
  const Tensor& y = c.out(0);
  Tensor g = c.grad(0);
  for (std::size_t i = 0; i < g.size(); ++i)
    if (y[i] != x[i]) g[i] = 0.0f;
  InputGradients out(c.node().inputs.size());
  out[0] = std::move(g);
  return out;
}

InputGradients softmax_back(GradientContext& c) {
  const int axis = normalise_axis(c.node().get_int("axis", -1), c.in(0).rank(), c.node());
  return gradients(softmax_backward(c.out(0), c.grad(0), axis));
}

InputGradients layer_normalization_back(GradientContext& c) {
  const Tensor* bias = c.forward.inputs.size() > 2 ? c.forward.inputs[2] : nullptr;
  const int axis = normalise_axis(c.node().get_int("axis", -1), c.in(0).rank(), c.node());
  NormGradients g = layer_norm_backward(c.in(0), c.in(1), bias, c.grad(0), axis, c.node().get_float("epsilon", 1e-5f));
  InputGradients out{std::move(g.x), std::move(g.scale)};
  if (bias) out.push_back(std::move(g.bias));
  return out;
}

InputGradients batch_normalization_back(GradientContext& c) {
  const float eps = c.node().get_float("epsilon", 1e-5f);
  NormGradients g = c.training ? batch_norm_training_backward(c.in(0), c.in(1), c.grad(0), eps)
                               : batch_norm_inference_backward(c.in(0), c.in(1), c.in(3), c.in(4), c.grad(0), eps);
  return gradients(std::move(g.x), std::move(g.scale), std::move(g.bias), std::nullopt, std::nullopt);
}

// Training mode: batch statistics; the running statistics move towards them with ONNX's
// momentum (running = running * momentum + batch * (1 - momentum), biased variance).
std::vector<Tensor> batch_normalization_training(OperatorContext& c, std::map<std::string, Tensor>& state) {
  BatchNormTraining t = batch_norm_training(c.in(0), c.in(1), c.in(2), c.node.get_float("epsilon", 1e-5f));
  const double momentum = c.node.get_float("momentum", 0.9f);
  const auto update = [&](std::size_t input, const Tensor& batch) {
    Tensor running = c.in(input);
    for (std::size_t i = 0; i < running.size(); ++i)
      running[i] = static_cast<float>(running[i] * momentum + batch[i] * (1.0 - momentum));
    state[c.node.input(input)] = std::move(running);
  };
  update(3, t.mean);
  update(4, t.var);
  return one_output(std::move(t.y));
}

InputGradients reduce_mean_back(GradientContext& c) {
  InputGradients out(c.node().inputs.size());
  out[0] = reduce_mean_backward(c.in(0).shape(), c.grad(0), reduce_axes(c.forward));
  return out;
}

// ReduceSum: every summed element receives its sum's gradient (an Identity with no axes
// and noop_with_empty_axes).
InputGradients reduce_sum_back(GradientContext& c) {
  InputGradients out(c.node().inputs.size());
  const Tensor& x = c.in(0);
  std::vector<int> axes = reduce_axes(c.forward);
  if (axes.empty() && c.node().get_int("noop_with_empty_axes", 0) != 0) {
    out[0] = c.grad(0);
    return out;
  }
  std::vector<int> kept = x.shape();
  for (std::size_t d = 0; d < kept.size(); ++d)
    if (axes.empty() || std::find(axes.begin(), axes.end(), static_cast<int>(d)) != axes.end()) kept[d] = 1;
  out[0] = broadcast_to(c.grad(0).reshaped(kept), x.shape());
  return out;
}

InputGradients max_pool_back(GradientContext& c) {
  return gradients(max_pool_backward(c.in(0), c.grad(0), pool_window(c.node())));
}

InputGradients average_pool_back(GradientContext& c) {
  return gradients(average_pool_backward(c.in(0), c.grad(0), pool_window(c.node())));
}

InputGradients global_average_pool_back(GradientContext& c) {
  const Tensor& x = c.in(0);
  std::vector<int> axes;
  for (int d = 2; d < static_cast<int>(x.rank()); ++d) axes.push_back(d);
  return gradients(reduce_mean_backward(x.shape(), c.grad(0), axes));
}

}  // namespace

const std::vector<GradientDef>& host_gradients() {
  static const std::vector<GradientDef> table = {
      {"Add", binary<BinaryOp::add>, nullptr, {}},
      {"Sub", binary<BinaryOp::sub>, nullptr, {}},
      {"Mul", binary<BinaryOp::mul>, nullptr, {}},
      {"Div", binary<BinaryOp::div>, nullptr, {}},
      {"Pow", binary<BinaryOp::pow>, nullptr, {}},
      {"Relu", relu_back, nullptr, {}, relu_reads_input},
      {"LeakyRelu", unary<UnaryOp::leaky_relu>, nullptr, {}},
      {"Sigmoid", unary<UnaryOp::sigmoid>, nullptr, {}},
      {"Tanh", unary<UnaryOp::tanh>, nullptr, {}},
      {"Erf", unary<UnaryOp::erf>, nullptr, {}},
      {"Gelu", unary<UnaryOp::gelu>, nullptr, {}},
      {"Sqrt", unary<UnaryOp::sqrt>, nullptr, {}},
      {"Exp", unary<UnaryOp::exp>, nullptr, {}},
      {"Neg", unary<UnaryOp::neg>, nullptr, {}},
      {"Reciprocal", unary<UnaryOp::reciprocal>, nullptr, {}},
      {"Clip", clip_back, nullptr, {}},
      {"Identity", pass_through, nullptr, {}},
      {"Dropout", pass_through, nullptr, {}},
      {"Cast", pass_through, nullptr, {}},
      {"Softmax", softmax_back, nullptr, {}},
      {"LayerNormalization", layer_normalization_back, nullptr, {}},
      {"BatchNormalization", batch_normalization_back, batch_normalization_training, {3, 4}},
      {"ReduceMean", reduce_mean_back, nullptr, {}},
      {"ReduceSum", reduce_sum_back, nullptr, {}},
      {"MaxPool", max_pool_back, nullptr, {}},
      {"AveragePool", average_pool_back, nullptr, {}},
      {"GlobalAveragePool", global_average_pool_back, nullptr, {}},
  };
  return table;
}

}  // namespace accsim
