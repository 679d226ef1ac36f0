#include "workloads/models/inference.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "kernels/activations.h"

namespace accsim {

namespace {

// A layer's input as its job streams it: a linear layer sees its input flattened.
Tensor layer_input(const LayerSpec& l, Tensor x) {
  const int batch = x.dim(0);
  return l.kind == JobKind::forward_fc ? x.reshaped({batch, static_cast<int>(x.size() / batch), 1, 1}) : x;
}

// Bias, activation (clipped as the network says) and pooling of a layer's array output.
void activate(const Network& net, const LayerSpec& l, const Tensor& bias, Tensor& y) {
  add_bias(y, bias);
  if (l.relu) y = clipped_relu(y, net.clip);
  if (l.pool > 1) y = max_pool2d(y, l.pool);
}

}  // namespace

Tensor run_layers(const Network& net, const NetworkParameters& params, Tensor x, int first_layer, Engine& engine) {
  const int batch = x.dim(0);
  for (std::size_t i = static_cast<std::size_t>(first_layer); i < net.layers.size(); ++i) {
    const LayerSpec& l = net.layers[i];
    x = layer_input(l, std::move(x));
    Tensor y = engine.run(layer_job(l, batch, x.dim(2), x.dim(3), i), x, params.weights[i], 0).output;
    activate(net, l, params.biases[i], y);
    x = std::move(y);
  }
  return x.reshaped({batch, static_cast<int>(x.size() / batch)});
}

NetworkRun run_network(const Network& net, const NetworkParameters& params, const Tensor& images, Engine& engine) {
  if (images.rank() != 4 || images.dim(1) != net.channels || images.dim(2) != net.height || images.dim(3) != net.width)
    throw std::invalid_argument(net.name + ": input " + images.shape_string() + " does not match the network");
  NetworkRun run;
  Tensor x = images;
  const int batch = images.dim(0);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const LayerSpec& l = net.layers[i];
    x = layer_input(l, std::move(x));
    LayerRun lr;
    lr.job = layer_job(l, batch, x.dim(2), x.dim(3), i);
    lr.start_cycle = run.cycles;
    JobResult r = engine.run(lr.job, x, params.weights[i], run.cycles);
    lr.input = std::move(x);
    lr.timing = r.timing;
    lr.output = r.output;
    run.cycles += r.timing.cycles;
    x = std::move(r.output);
    activate(net, l, params.biases[i], x);
    run.layers.push_back(std::move(lr));
  }
  run.logits = x.reshaped({batch, static_cast<int>(x.size() / batch)});
  return run;
}

OutputDiff compare_outputs(const Tensor& golden, const Tensor& faulty) {
  if (golden.shape() != faulty.shape()) throw std::invalid_argument("compare_outputs: shapes differ");
  OutputDiff d;
  for (std::size_t i = 0; i < golden.size(); ++i) {
    const float g = golden[i], f = faulty[i];
    if (std::memcmp(&g, &f, sizeof g) != 0) ++d.corrupted;
    if (!std::isfinite(f)) {
      ++d.non_finite;
      continue;
    }
    d.max_abs_error = std::max(d.max_abs_error, std::fabs(static_cast<double>(f) - g));
  }
  return d;
}

}  // namespace accsim
