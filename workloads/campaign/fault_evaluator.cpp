#include "workloads/campaign/fault_evaluator.h"

#include <algorithm>
#include <stdexcept>

#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/activations.h"
#include "kernels/array_conv.h"
#include "workloads/run/engines.h"
#include "workloads/campaign/stuck_at_activity.h"

namespace accsim {

FaultEvaluator::FaultEvaluator(const ArrayConfig& array, const Network& net, const NetworkParameters& params)
    : array_(array), net_(net), params_(params) {
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("FaultEvaluator: parameters do not match the network's layers");
}

GoldenBatch FaultEvaluator::golden(const Tensor& images, const std::vector<int>& labels) const {
  if (images.rank() != 4 || static_cast<std::size_t>(images.dim(0)) != labels.size())
    throw std::invalid_argument("FaultEvaluator::golden: " + std::to_string(labels.size()) + " labels for images " +
                                images.shape_string());
  const PeFaults healthy;
  FastEngine engine(array_, healthy);
  return make_golden(run_network(net_, params_, images, engine), labels);
}

int FaultEvaluator::layer_at_cycle(const NetworkRun& run, long long cycle) {
  for (std::size_t l = 0; l < run.layers.size(); ++l) {
    const LayerRun& lr = run.layers[l];
    if (cycle >= lr.start_cycle && cycle < lr.start_cycle + lr.timing.cycles) return static_cast<int>(l);
  }
  return -1;
}

BatchEffect FaultEvaluator::evaluate(const GoldenBatch& golden, const HardwareFault& fault, bool shortcut) const {
  validate(fault, array_);
  return shortcut ? evaluate_shortcut(golden, fault) : evaluate_full(golden, fault);
}

BatchEffect FaultEvaluator::evaluate_full(const GoldenBatch& g, const HardwareFault& fault) const {
  const PeFaults faults(array_, {fault});
  FastEngine engine(array_, faults);
  return compare_runs(g, run_network(net_, params_, g.run.layers.front().input, engine));
}

BatchEffect FaultEvaluator::evaluate_shortcut(const GoldenBatch& g, const HardwareFault& fault) const {
  const NetworkRun& golden = g.run;
  const int struck = fault.permanent() ? 0 : layer_at_cycle(golden, fault.cycle);
  if (struck < 0) return propagate_changes(array_, net_, params_, g, static_cast<int>(golden.layers.size()), {});
  const PeFaults faults(array_, {fault});
  const int cols = array_.atomic_k;
  return propagate_changes(array_, net_, params_, g, struck, [&](int l, const std::vector<char>& dirty) {
    LayerChange c;
    if (!fault.permanent() && l != struck) return c;
    const LayerRun& gl = golden.layers[static_cast<std::size_t>(l)];
    const auto PQ = static_cast<long long>(gl.job.shape.p()) * gl.job.shape.q();
    c.faults = &faults;
    c.pattern = map_transients(gl.job, array_, faults, gl.start_cycle);
    if (fault.permanent()) {
      const Mapping mapping(gl.job.shape, array_, array_.swizzle, gl.job.swizzle_seed);
      c.region.images = dirty;
      c.region.columns.assign(static_cast<std::size_t>(cols), 0);
      // The images whose input differs run on the faulty array in any case.
      if (stuck_at_acts(fault, faults, array_, gl, params_.weights[static_cast<std::size_t>(l)], mapping, dirty))
        c.region.columns[static_cast<std::size_t>(fault.col)] = 1;
      c.active = c.region.columns[static_cast<std::size_t>(fault.col)] ||
                 std::find(dirty.begin(), dirty.end(), 1) != dirty.end();
      return c;
    }
    c.active = !c.pattern.empty();  // else the transient is masked in the hardware: nothing changes
    c.region.images.assign(g.labels.size(), 0);
    c.region.image_columns.assign(static_cast<std::size_t>(cols), 0);
    for (const auto& p : c.pattern.psums) {
      c.region.images[static_cast<std::size_t>(p.at.pixel / PQ)] = 1;
      c.region.image_columns[static_cast<std::size_t>(p.at.col)] = 1;
    }
    for (const auto& a : c.pattern.accumulator) {
      c.region.images[static_cast<std::size_t>(a.at.pixel / PQ)] = 1;
      c.region.image_columns[static_cast<std::size_t>(a.at.col)] = 1;
    }
    return c;
  });
}

}  // namespace accsim
