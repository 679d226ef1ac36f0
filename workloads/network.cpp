#include "workloads/network.h"

#include <cmath>
#include <stdexcept>

#include "arch/random.h"

namespace accsim {

Network lenet5() {
  Network net;
  net.name = "lenet5";
  net.channels = 1;
  net.height = net.width = 28;
  net.layers = {
      {"conv1", JobKind::forward_conv, 1, 6, 5, 1, 0, true, 2},
      {"conv2", JobKind::forward_conv, 6, 16, 5, 1, 0, true, 2},
      {"fc1", JobKind::forward_fc, 256, 120, 1, 1, 0, true, 1},
      {"fc2", JobKind::forward_fc, 120, 84, 1, 1, 0, true, 1},
      {"fc3", JobKind::forward_fc, 84, 10, 1, 1, 0, false, 1},
  };
  return net;
}

const std::vector<std::string>& network_names() {
  static const std::vector<std::string> names{"lenet5"};
  return names;
}

Network network_by_name(const std::string& name) {
  if (name == "lenet5") return lenet5();
  throw std::invalid_argument("unknown network \"" + name + "\"");
}

NetworkParameters init_parameters(const Network& net, std::uint64_t seed) {
  NetworkParameters params;
  Rng rng(seed);
  for (const auto& l : net.layers) {
    const int k = l.kind == JobKind::forward_fc ? 1 : l.kernel;
    Tensor w({l.out_channels, l.in_channels, k, k});
    const float bound = std::sqrt(6.0f / static_cast<float>(l.in_channels * k * k));
    for (auto& v : w.values()) v = rng.uniform(-bound, bound);
    params.weights.push_back(std::move(w));
    params.biases.emplace_back(std::vector<int>{l.out_channels});
  }
  return params;
}

ConvJob layer_job(const LayerSpec& l, int batch, int h, int w, std::uint64_t layer_index) {
  ConvJob job;
  job.layer = l.name;
  job.kind = l.kind;
  job.swizzle_seed = layer_index;
  ConvShape& s = job.shape;
  s.n = batch;
  s.c = l.in_channels;
  s.k = l.out_channels;
  if (l.kind == JobKind::forward_fc) {
    s.h = s.w = s.r = s.s = 1;
  } else {
    s.h = h;
    s.w = w;
    s.r = s.s = l.kernel;
    s.stride = l.stride;
    s.pad = l.pad;
  }
  return job;
}

}  // namespace accsim
