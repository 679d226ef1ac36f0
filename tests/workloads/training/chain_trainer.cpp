#include "workloads/training/chain_trainer.h"

#include <stdexcept>

#include "arch/pass_lowering.h"
#include "kernels/activations.h"

namespace accsim {

Trainer::Trainer(const Network& net, NetworkParameters& params, Engine& engine)
    : net_(net), params_(params), engine_(engine), cache_(net.layers.size()) {
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("Trainer: parameters do not match " + net.name);
}

std::vector<ParameterSpec> Trainer::parameter_specs(const Network& net, const NetworkParameters& params) {
  std::vector<ParameterSpec> specs;
  for (std::size_t i = 0; i < net.layers.size(); ++i) specs.push_back({net.layers[i].name + ".weight", params.weights.at(i).shape()});
  for (std::size_t i = 0; i < net.layers.size(); ++i) specs.push_back({net.layers[i].name + ".bias", params.biases.at(i).shape()});
  return specs;
}

JobResult Trainer::run(const ConvJob& job, const Tensor& streamed, const Tensor& stationary, long long& cycle,
                       StepResult& r) {
  JobResult jr = engine_.run(job, streamed, stationary, cycle);
  cycle += jr.timing.cycles;
  r.cycles += jr.timing.cycles;
  return jr;
}

StepResult Trainer::forward_backward(const Tensor& images, const std::vector<int>& labels, long long& cycle) {
  if (images.rank() != 4 || images.dim(1) != net_.channels || images.dim(2) != net_.height ||
      images.dim(3) != net_.width)
    throw std::invalid_argument(net_.name + ": input " + images.shape_string() + " does not match the network");
  StepResult r;
  const int batch = images.dim(0);
  Tensor x = images;
  for (std::size_t i = 0; i < net_.layers.size(); ++i) {
    const LayerSpec& l = net_.layers[i];
    LayerCache& c = cache_[i];
    if (l.kind == JobKind::forward_fc) x = x.reshaped({batch, static_cast<int>(x.size() / batch), 1, 1});
    c.job = layer_job(l, batch, x.dim(2), x.dim(3), i);
    Tensor y = run(c.job, x, params_.weights[i], cycle, r).output;  // the forward job is the layer itself
    c.input = std::move(x);
    add_bias(y, params_.biases[i]);
    c.pre_activation = y;
    if (l.relu) y = clipped_relu(y, net_.clip);
    c.pooled_from = y.shape();
    if (l.pool > 1) {
      MaxPoolResult p = max_pool2d_with_indices(y, l.pool);
      y = std::move(p.y);
      c.pool_argmax = std::move(p.argmax);
    }
    c.output_shape = y.shape();
    x = std::move(y);
  }
  r.loss = softmax_cross_entropy(x.reshaped({batch, static_cast<int>(x.size() / batch)}), labels);

  grads_.weights.resize(net_.layers.size());
  grads_.biases.resize(net_.layers.size());
  Tensor g = r.loss.grad.reshaped(x.shape());
  for (std::size_t i = net_.layers.size(); i-- > 0;) {
    const LayerSpec& l = net_.layers[i];
    const LayerCache& c = cache_[i];
    if (l.pool > 1) g = max_pool2d_backward(g, c.pool_argmax, c.pooled_from);
    if (l.relu) g = clipped_relu_backward(c.pre_activation, g, net_.clip);
    grads_.biases[i] = bias_gradient(g);
    const LoweredJob bw = lower_backward_weight(c.job, c.input, g);
    grads_.weights[i] = lift_output(c.job, Pass::backward_weight, run(bw.job, bw.streamed, bw.stationary, cycle, r).output);
    if (i == 0) break;  // no gradient for the images
    const LoweredJob bd = lower_backward_data(c.job, params_.weights[i], g);
    g = lift_output(c.job, Pass::backward_data, run(bd.job, bd.streamed, bd.stationary, cycle, r).output);
    g = g.reshaped(cache_[i - 1].output_shape);  // a linear layer's input was flattened
  }
  return r;
}

StepResult Trainer::train_step(const Tensor& images, const std::vector<int>& labels, Optimizer& optimizer,
                               long long& cycle) {
  StepResult r = forward_backward(images, labels, cycle);
  std::vector<ParameterRef> params;
  for (std::size_t i = 0; i < net_.layers.size(); ++i)
    params.push_back({net_.layers[i].name + ".weight", &params_.weights[i], &grads_.weights[i]});
  for (std::size_t i = 0; i < net_.layers.size(); ++i)
    params.push_back({net_.layers[i].name + ".bias", &params_.biases[i], &grads_.biases[i]});
  optimizer.step(params);
  for (std::size_t l = 0; l < held_at_zero_.size(); ++l)
    for (std::size_t i = 0; i < held_at_zero_[l].size(); ++i)
      if (held_at_zero_[l][i]) params_.weights[l][i] = 0.0f;
  return r;
}

}  // namespace accsim
