#include "workloads/pvf/parameter_fault_evaluator.h"

#include <algorithm>
#include <stdexcept>

#include "arch/mapping.h"
#include "workloads/run/engines.h"

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

ParameterFaultEvaluator::Corruption ParameterFaultEvaluator::corruption_of(const Injection& injection) const {
  const auto layers = net_.layers.size();
  Corruption c;
  c.weight_channels.resize(layers);
  c.bias_channels.resize(layers);
  c.first = static_cast<int>(layers);
  for (const ParameterFlip& f : injection.flips) {
    const auto l = static_cast<std::size_t>(f.tensor / 2);
    if (l >= layers) throw std::invalid_argument("ParameterFaultEvaluator: a flip outside the network's tensors");
    c.first = std::min(c.first, static_cast<int>(l));
    c.last = std::max(c.last, static_cast<int>(l));
    if (f.tensor % 2 == 0) {
      const Tensor& w = params_.weights[l];
      c.weight_channels[l].push_back(static_cast<int>(f.element / (w.size() / static_cast<std::size_t>(w.dim(0)))));
    } else {
      c.bias_channels[l].push_back(static_cast<int>(f.element));
    }
  }
  for (auto* lists : {&c.weight_channels, &c.bias_channels})
    for (auto& v : *lists) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    }
  return c;
}

LayerChangeFn ParameterFaultEvaluator::change_of(const Corruption& corruption, const GoldenBatch& g,
                                                 const NetworkParameters& faulty) const {
  return [this, &corruption, &g, &faulty](int l, const std::vector<char>& dirty) {
    const auto L = static_cast<std::size_t>(l);
    const int cols = array_.atomic_k;
    LayerChange c;
    c.weights = &faulty.weights[L];
    if (!corruption.bias_channels[L].empty()) {
      c.bias = &faulty.biases[L];
      c.bias_channels = corruption.bias_channels[L];
    }
    const std::vector<int>& channels = corruption.weight_channels[L];
    if (channels.empty()) return c;  // only the images whose input differs are recomputed
    const LayerRun& gl = g.run.layers[L];
    const Mapping mapping(gl.job.shape, array_, array_.swizzle, gl.job.swizzle_seed);
    c.active = true;
    c.region.images = dirty;
    c.region.columns.assign(static_cast<std::size_t>(cols), 0);
    // Only the groups holding corrupted channels, unless an image's input differs (it
    // needs every plane).
    const bool clean = std::find(dirty.begin(), dirty.end(), 1) == dirty.end();
    if (clean) c.region.groups.assign(static_cast<std::size_t>(mapping.groups()), 0);
    std::vector<int> served;
    for (int group = 0; group < mapping.groups(); ++group) {
      mapping.cols_to_channels(group, served);
      for (int col = 0; col < cols; ++col)
        if (std::binary_search(channels.begin(), channels.end(), served[static_cast<std::size_t>(col)])) {
          c.region.columns[static_cast<std::size_t>(col)] = 1;
          if (clean) c.region.groups[static_cast<std::size_t>(group)] = 1;
        }
    }
    return c;
  };
}

BatchEffect ParameterFaultEvaluator::evaluate(const GoldenBatch& g, const NetworkParameters& faulty,
                                              const Injection& injection, bool shortcut) const {
  if (!shortcut) {
    const PeFaults healthy;
    FastEngine engine(array_, healthy);
    return compare_runs(g, run_network(net_, faulty, g.run.layers.front().input, engine));
  }
  const Corruption c = corruption_of(injection);
  return propagate_changes(array_, net_, params_, g, c.first, change_of(c, g, faulty));
}

std::vector<BatchEffect> ParameterFaultEvaluator::evaluate_many(const std::vector<const GoldenBatch*>& goldens,
                                                                ParameterSet& set, NetworkParameters& faulty,
                                                                const std::vector<Injection>& injections) const {
  if (goldens.size() != injections.size())
    throw std::invalid_argument("ParameterFaultEvaluator::evaluate_many: one golden record per injection");
  const int layers = static_cast<int>(net_.layers.size());
  std::vector<BatchEffect> out(goldens.size());
  std::vector<Propagation> partial(goldens.size());
  std::vector<int> resume(goldens.size(), layers);  // the layer the rest of the run starts at
  for (std::size_t j = 0; j < goldens.size(); ++j) {
    const Corruption c = corruption_of(injections[j]);
    injections[j].apply(set);
    try {
      partial[j] = propagate_layers(array_, net_, params_, *goldens[j], c.first, c.last + 1,
                                    change_of(c, *goldens[j], faulty));
    } catch (...) {
      injections[j].undo(set);
      throw;
    }
    injections[j].undo(set);
    resume[j] = std::max(c.first, c.last + 1);
  }
  // The differing images of every experiment resuming at layer s, as one batch.
  const PeFaults healthy;
  FastEngine engine(array_, healthy);
  for (int s = 0; s < layers; ++s) {
    std::vector<std::pair<std::size_t, int>> members;  // (experiment, image)
    for (std::size_t j = 0; j < goldens.size(); ++j)
      if (resume[j] == s)
        for (int i = 0; i < goldens[j]->size(); ++i)
          if (partial[j].dirty[static_cast<std::size_t>(i)]) members.emplace_back(j, i);
    if (members.empty()) continue;
    std::vector<int> shape = goldens[members.front().first]->run.layers[static_cast<std::size_t>(s)].input.shape();
    shape[0] = static_cast<int>(members.size());
    Tensor x(shape);
    const std::size_t block = x.size() / members.size();
    for (std::size_t m = 0; m < members.size(); ++m) {
      const std::vector<float>& a = partial[members[m].first].act[static_cast<std::size_t>(members[m].second)];
      if (a.size() != block) throw std::logic_error("ParameterFaultEvaluator: activation size differs from the batch");
      std::copy(a.begin(), a.end(), x.data() + m * block);
    }
    const Tensor logits = run_layers(net_, params_, std::move(x), s, engine);
    const auto classes = static_cast<std::size_t>(logits.dim(1));
    for (std::size_t m = 0; m < members.size(); ++m) {
      std::vector<float>& a = partial[members[m].first].act[static_cast<std::size_t>(members[m].second)];
      a.assign(logits.data() + m * classes, logits.data() + (m + 1) * classes);
    }
  }
  for (std::size_t j = 0; j < goldens.size(); ++j) out[j] = classify_propagation(*goldens[j], partial[j]);
  return out;
}

}  // namespace accsim
