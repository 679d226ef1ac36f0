#include "workloads/models/network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "arch/json_excerpt.h"
#include "arch/random.h"

namespace accsim {

namespace {

// A built-in preset: one 28x28 image in, the layers listed.
Network preset(const char* name, std::vector<LayerSpec> layers) {
  Network net;
  net.name = name;
  net.channels = 1;
  net.height = net.width = 28;
  net.layers = std::move(layers);
  return net;
}

struct Preset {
  const char* name;
  Network (*build)();
};

const Preset kPresets[] = {{"lenet5", lenet5}, {"alexnet28", alexnet28}, {"mlp", mlp}};

}  // namespace

Network lenet5() {
  return preset("lenet5", {
                              {"conv1", JobKind::forward_conv, 1, 6, 5, 1, 0, true, 2},
                              {"conv2", JobKind::forward_conv, 6, 16, 5, 1, 0, true, 2},
                              {"fc1", JobKind::forward_fc, 256, 120, 1, 1, 0, true, 1},
                              {"fc2", JobKind::forward_fc, 120, 84, 1, 1, 0, true, 1},
                              {"fc3", JobKind::forward_fc, 84, 10, 1, 1, 0, false, 1},
                          });
}

Network alexnet28() {
  return preset("alexnet28", {
                                 {"conv1", JobKind::forward_conv, 1, 16, 3, 1, 1, true, 2},   // 28 -> 14
                                 {"conv2", JobKind::forward_conv, 16, 32, 3, 1, 1, true, 2},  // 14 -> 7
                                 {"conv3", JobKind::forward_conv, 32, 48, 3, 1, 1, true, 1},
                                 {"conv4", JobKind::forward_conv, 48, 48, 3, 1, 1, true, 1},
                                 {"conv5", JobKind::forward_conv, 48, 32, 3, 1, 1, true, 2},  // 7 -> 3
                                 {"fc1", JobKind::forward_fc, 288, 256, 1, 1, 0, true, 1},
                                 {"fc2", JobKind::forward_fc, 256, 128, 1, 1, 0, true, 1},
                                 {"fc3", JobKind::forward_fc, 128, 10, 1, 1, 0, false, 1},
                             });
}

Network mlp() {
  return preset("mlp", {
                           {"fc1", JobKind::forward_fc, 784, 256, 1, 1, 0, true, 1},
                           {"fc2", JobKind::forward_fc, 256, 128, 1, 1, 0, true, 1},
                           {"fc3", JobKind::forward_fc, 128, 10, 1, 1, 0, false, 1},
                       });
}

const std::vector<std::string>& network_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Preset& p : kPresets) n.push_back(p.name);
    return n;
  }();
  return names;
}

Network network_by_name(const std::string& name) {
  for (const Preset& p : kPresets)
    if (name == p.name) return p.build();
  throw std::invalid_argument("unknown network \"" + name + "\"");
}

Network parse_network(ConfigReader& parent, const std::string& key) {
  const nlohmann::json& raw = parent.get_raw(key, "a network name or a network object");
  if (raw.is_string()) {
    const std::string name = raw.get<std::string>();
    if (std::find(network_names().begin(), network_names().end(), name) == network_names().end())
      parent.fail(key, quoted_excerpt(name) + " is not one of {lenet5, alexnet28, mlp} (or give a network object)");
    return network_by_name(name);
  }
  if (!raw.is_object()) parent.fail(key, "expected a network name or a network object, got " + json_excerpt(raw));
  ConfigReader r(raw, parent.file(), parent.key_path(key));
  Network net;
  net.name = r.get_string("name");
  const auto input = r.get_int_array("input", 3, 1, 4096);
  net.channels = static_cast<int>(input[0]);
  net.height = static_cast<int>(input[1]);
  net.width = static_cast<int>(input[2]);
  int c = net.channels, h = net.height, w = net.width;
  std::vector<ConfigReader> layers = r.get_object_array("layers");
  if (layers.empty()) r.fail("layers", "expected a non-empty array of layer objects");
  bool flat = false;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    ConfigReader& l = layers[i];
    LayerSpec spec;
    spec.name = l.get_string("name", "layer" + std::to_string(i + 1));
    for (const auto& other : net.layers)
      if (other.name == spec.name) l.fail("name", quoted_excerpt(spec.name) + " is used by an earlier layer");
    const std::string type = l.get_choice("type", {"conv", "fc"});
    spec.relu = l.get_bool("relu", i + 1 < layers.size());
    if (type == "conv") {
      if (flat) l.fail("type", "a conv layer cannot follow a fully-connected one");
      spec.kind = JobKind::forward_conv;
      spec.in_channels = c;
      spec.out_channels = static_cast<int>(l.get_int("out_channels", 1, 65536));
      spec.kernel = static_cast<int>(l.get_int("kernel", 1, 64));
      spec.stride = static_cast<int>(l.get_int("stride", 1, 64, 1));
      spec.pad = static_cast<int>(l.get_int("pad", 0, 64, 0));
      if (h + 2 * spec.pad < spec.kernel || w + 2 * spec.pad < spec.kernel)
        l.fail("kernel", "kernel " + std::to_string(spec.kernel) + " exceeds the padded input " +
                             std::to_string(h + 2 * spec.pad) + "x" + std::to_string(w + 2 * spec.pad));
      h = (h + 2 * spec.pad - spec.kernel) / spec.stride + 1;
      w = (w + 2 * spec.pad - spec.kernel) / spec.stride + 1;
      spec.pool = static_cast<int>(l.get_int("pool", 1, std::max(1, std::min(h, w)), 1));
      h /= spec.pool;
      w /= spec.pool;
      c = spec.out_channels;
    } else {
      flat = true;
      spec.kind = JobKind::forward_fc;
      spec.in_channels = c * h * w;
      spec.out_channels = static_cast<int>(l.get_int("out_features", 1, 65536));
      c = spec.out_channels;
      h = w = 1;
    }
    l.finish();
    net.layers.push_back(spec);
  }
  r.finish();
  return net;
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

std::vector<ConvJob> layer_jobs(const Network& net, int batch) {
  std::vector<ConvJob> jobs;
  int h = net.height, w = net.width;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const LayerSpec& l = net.layers[i];
    jobs.push_back(layer_job(l, batch, h, w, i));
    const ConvShape& s = jobs.back().shape;
    h = l.kind == JobKind::forward_fc ? 1 : s.p() / l.pool;
    w = l.kind == JobKind::forward_fc ? 1 : s.q() / l.pool;
  }
  return jobs;
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
    if (l.pool > 1 && s.p() >= l.pool && s.q() >= l.pool)
      job.pool = square_pdp_window(s.p(), s.q(), l.pool, l.pool);  // PDP on the fly, as in the graph
  }
  return job;
}

}  // namespace accsim
