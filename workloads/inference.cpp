#include "workloads/inference.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "kernels/activations.h"

namespace accsim {

NetworkRun run_network(const Network& net, const NetworkParameters& params, const Tensor& images, Engine& engine) {
  if (images.rank() != 4 || images.dim(1) != net.channels || images.dim(2) != net.height || images.dim(3) != net.width)
    throw std::invalid_argument(net.name + ": input " + images.shape_string() + " does not match the network");
  NetworkRun run;
  Tensor x = images;
  const int batch = images.dim(0);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const LayerSpec& l = net.layers[i];
    if (l.kind == JobKind::forward_fc) x = x.reshaped({batch, static_cast<int>(x.size() / batch), 1, 1});
    LayerRun lr;
    lr.job = layer_job(l, batch, x.dim(2), x.dim(3), i);
    lr.start_cycle = run.cycles;
    JobResult r = engine.run(lr.job, x, params.weights[i], run.cycles);
    lr.input = std::move(x);
    lr.timing = r.timing;
    lr.output = r.output;
    run.cycles += r.timing.cycles;
    x = std::move(r.output);
    add_bias(x, params.biases[i]);
    if (l.relu) x = clipped_relu(x, net.clip);
    if (l.pool > 1) x = max_pool2d(x, l.pool);
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
