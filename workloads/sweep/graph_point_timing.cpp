#include "workloads/sweep/graph_point_timing.h"

#include <memory>
#include <sstream>
#include <stdexcept>

#include "arch/pe_faults.h"
#include "faultmodels/checked_engine.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"
#include "workloads/run/workload_model.h"

namespace accsim {

namespace {

// The faulty run: on the engine with the point's faults, behind the mitigations' check.
GraphRun faulty_run(const RunConfig& rc, const std::string& engine, const Graph& graph, const Tensor& images) {
  const PeFaults faulty(rc.array, rc.faults);
  const auto bare = make_engine(engine, rc.array, faulty);
  if (rc.mitigations.check == MitigationCheck::none) return run_graph(graph, images, *bare, true);
  CheckedEngine checked(*bare, rc.array, rc.mitigations.check == MitigationCheck::abft ? CheckKind::abft : CheckKind::duplicate);
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

WorkloadTiming time_graph_workload(const RunConfig& rc, const std::string& engine, std::uint64_t seed) {
  if (!rc.workload.topology.empty()) throw std::invalid_argument("time_graph_workload: the workload is a topology");
  const WorkloadModel model = load_workload_model(rc, seed);
  std::ostringstream notes;  // a synthetic-image note belongs to the single run, not to every point
  const Tensor images = load_model_input(rc, seed, model, notes).images;
  const PeFaults healthy;
  const GraphRun golden = run_graph(*model.graph, images, *make_engine(engine, rc.array, healthy), true);
  // Without faults and check the faulty run is the fault-free one (both engines are deterministic).
  const bool same = rc.faults.empty() && rc.mitigations.check == MitigationCheck::none;
  const GraphRun faulty = same ? GraphRun{} : faulty_run(rc, engine, *model.graph, images);
  const GraphRun& bad = same ? golden : faulty;
  WorkloadTiming w;
  for (std::size_t i = 0; i < bad.jobs.size(); ++i) add_job(w, golden.jobs.at(i), bad.jobs[i], rc.array);
  w.utilisation = w.cycles ? static_cast<double>(w.macs) / (static_cast<double>(w.cycles) * rc.array.pes()) : 0.0;
  return w;
}

}  // namespace accsim
