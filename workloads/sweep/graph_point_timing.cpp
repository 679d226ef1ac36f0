#include "workloads/sweep/graph_point_timing.h"

#include <memory>

#include "arch/pe_faults.h"
#include "faultmodels/checked_engine.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

// The faulty run: on the engine with the point's faults, behind the mitigations' check.
GraphRun faulty_run(const ArrayConfig& array, const std::vector<HardwareFault>& faults, MitigationCheck check,
                    const std::string& engine, const Graph& graph, const Tensor& images) {
  const PeFaults faulty(array, faults);
  const auto bare = make_engine(engine, array, faulty);
  if (check == MitigationCheck::none) return run_graph(graph, images, *bare, true);
  CheckedEngine checked(*bare, array, check == MitigationCheck::abft ? CheckKind::abft : CheckKind::duplicate);
  return run_graph(graph, images, checked, true);
}

void add_job(WorkloadTiming& w, const LayerRun& golden, const LayerRun& faulty, const ArrayConfig& array) {
  LayerTiming l;
  l.job = faulty.job;
  l.node = faulty.node;
  l.timing = faulty.timing;
  l.diff = compare_outputs(golden.output, faulty.output);
  l.ran_data = true;
  w.add_layer(std::move(l), array);
}

}  // namespace

WorkloadTiming time_graph_workload(const ArrayConfig& array, const std::vector<HardwareFault>& faults,
                                   MitigationCheck check, const WorkloadModel& model, const Tensor& images,
                                   const std::string& engine) {
  const PeFaults healthy;
  const GraphRun golden = run_graph(*model.graph, images, *make_engine(engine, array, healthy), true);
  // Without faults and check the faulty run is the fault-free one (both engines are deterministic).
  const bool same = faults.empty() && check == MitigationCheck::none;
  const GraphRun faulty = same ? GraphRun{} : faulty_run(array, faults, check, engine, *model.graph, images);
  const GraphRun& bad = same ? golden : faulty;
  WorkloadTiming w;
  for (std::size_t i = 0; i < bad.jobs.size(); ++i) add_job(w, golden.jobs.at(i), bad.jobs[i], array);
  w.utilisation = w.cycles ? static_cast<double>(w.macs) / (static_cast<double>(w.cycles) * array.pes()) : 0.0;
  return w;
}

}  // namespace accsim
