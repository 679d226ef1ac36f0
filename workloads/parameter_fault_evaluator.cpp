#include "workloads/parameter_fault_evaluator.h"

#include <algorithm>
#include <stdexcept>

#include "arch/mapping.h"
#include "workloads/engines.h"

namespace accsim {

ParameterSet network_parameter_set(const Network& net, NetworkParameters& params) {
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("network_parameter_set: parameters do not match the network's layers");
  ParameterSet set;
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    set.add(net.layers[l].name + ".weight", params.weights[l]);
    set.add(net.layers[l].name + ".bias", params.biases[l]);
  }
  return set;
}

ParameterFaultEvaluator::ParameterFaultEvaluator(const ArrayConfig& array, const Network& net,
                                                 const NetworkParameters& params)
    : array_(array), net_(net), params_(params) {
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("ParameterFaultEvaluator: parameters do not match the network's layers");
}

GoldenBatch ParameterFaultEvaluator::golden(const Tensor& images, const std::vector<int>& labels) const {
  if (images.rank() != 4 || static_cast<std::size_t>(images.dim(0)) != labels.size())
    throw std::invalid_argument("ParameterFaultEvaluator::golden: " + std::to_string(labels.size()) +
                                " labels for images " + images.shape_string());
  const PeFaults healthy;
  FastEngine engine(array_, healthy);
  return make_golden(run_network(net_, params_, images, engine), labels);
}

BatchEffect ParameterFaultEvaluator::evaluate(const GoldenBatch& g, const NetworkParameters& faulty,
                                              const Injection& injection, bool shortcut) const {
  const int layers = static_cast<int>(net_.layers.size());
  if (!shortcut) {
    const PeFaults healthy;
    FastEngine engine(array_, healthy);
    return compare_runs(g, run_network(net_, faulty, g.run.layers.front().input, engine));
  }
  // Per layer: the output channels whose weights / bias the injection corrupted.
  std::vector<std::vector<int>> weight_channels(static_cast<std::size_t>(layers)), bias_channels(weight_channels);
  int first = layers;
  for (const ParameterFlip& f : injection.flips) {
    const auto l = static_cast<std::size_t>(f.tensor / 2);
    if (l >= weight_channels.size()) throw std::invalid_argument("ParameterFaultEvaluator: a flip outside the network's tensors");
    first = std::min(first, static_cast<int>(l));
    if (f.tensor % 2 == 0) {
      const Tensor& w = params_.weights[l];
      weight_channels[l].push_back(static_cast<int>(f.element / (w.size() / static_cast<std::size_t>(w.dim(0)))));
    } else {
      bias_channels[l].push_back(static_cast<int>(f.element));
    }
  }
  const int cols = array_.atomic_k;
  return propagate_changes(array_, net_, params_, g, first, [&](int l, const std::vector<char>& dirty) {
    const auto L = static_cast<std::size_t>(l);
    LayerChange c;
    c.weights = &faulty.weights[L];
    if (!bias_channels[L].empty()) {
      c.bias = &faulty.biases[L];
      c.bias_channels = bias_channels[L];
      std::sort(c.bias_channels.begin(), c.bias_channels.end());
      c.bias_channels.erase(std::unique(c.bias_channels.begin(), c.bias_channels.end()), c.bias_channels.end());
    }
    if (weight_channels[L].empty()) return c;  // only the images whose input differs are recomputed
    const LayerRun& gl = g.run.layers[L];
    const Mapping mapping(gl.job.shape, array_, array_.swizzle, gl.job.swizzle_seed);
    c.active = true;
    c.region.images = dirty;
    c.region.columns.assign(static_cast<std::size_t>(cols), 0);
    std::vector<int> served;
    for (int group = 0; group < mapping.groups(); ++group) {
      mapping.cols_to_channels(group, served);
      for (int col = 0; col < cols; ++col)
        if (std::find(weight_channels[L].begin(), weight_channels[L].end(), served[static_cast<std::size_t>(col)]) !=
            weight_channels[L].end())
          c.region.columns[static_cast<std::size_t>(col)] = 1;
    }
    return c;
  });
}

}  // namespace accsim
