#include "workloads/sweep/sweep_point.h"

#include <sstream>

#include "arch/energy_table.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/run/workload_model.h"
#include "workloads/run/workload_timing.h"
#include "workloads/sweep/graph_point_timing.h"

namespace accsim {

namespace {

// The point's hardware-fault campaign, on this worker's thread (points already run in
// parallel); its SDC and crash rates with their 95% Wilson intervals. False when `stop`
// ended it early (the point is not done).
bool add_campaign(SweepPointResult& p, const CampaignInputs& in, std::uint64_t seed, const std::atomic<bool>* stop) {
  std::ostringstream notes;  // per-point notes (synthetic images) would repeat for every point
  CampaignSource source = load_graph_campaign(in, seed, notes);  // parse_sweep refused what a campaign refuses
  source.campaign.config.threads = 1;
  CampaignRunOptions options;
  options.stop = stop;
  const CampaignResults results = run_campaign(source.campaign, options);
  if (!results.complete()) return false;
  const CampaignSummary s = summarize_campaign(results, source.campaign.config);
  p.experiments = s.overall.experiments;
  p.sdc_rate = s.overall.sdc_rate(), p.sdc_lo = s.overall.sdc_ci.lo, p.sdc_hi = s.overall.sdc_ci.hi;
  p.crash_rate = s.overall.crash_rate(), p.crash_lo = s.overall.crash_ci.lo, p.crash_hi = s.overall.crash_ci.hi;
  return true;
}

WorkloadTiming time_graph_point(const SweepPointConfig& point, const std::string& engine, std::uint64_t seed) {
  const WorkloadModel model = load_workload_model(point.workload, point.mitigations.clip, point.file, seed);
  std::ostringstream notes;  // a synthetic-image note belongs to the single run, not to every point
  const Tensor images = load_model_input(point.workload, point.file, seed, model, notes).images;
  return time_graph_workload(point.array, point.faults, point.mitigations.check, model, images, engine);
}

}  // namespace

WorkloadTiming time_point_workload(const SweepPointConfig& point, const std::string& engine, std::uint64_t seed) {
  return point.workload.topology.empty() ? time_graph_point(point, engine, seed)
                                         : time_workload(point.array, point.faults, point.workload, engine, seed);
}

SweepPointResult run_sweep_point(const SweepPointConfig& point, const std::string& engine, std::uint64_t seed,
                                 const std::atomic<bool>* stop, std::vector<SweepLayerResult>& layers) {
  const WorkloadTiming w = time_point_workload(point, engine, seed);
  SweepPointResult p = {true, w.cycles, w.analytical_cycles, w.macs, w.stall_cycles, w.weight_load_cycles,
                        w.corrupted_outputs, w.nonfinite_outputs, w.utilisation, point.array.pes(),
                        w.data_fetch_stall_cycles, w.dram_stall_cycles, w.postprocess_cycles, w.dram_read_bytes,
                        w.dram_write_bytes};
  p.energy_pj = estimate_energy(w.energy_counts, point.array.datatype, point.array.energy).total_pj();
  layers = sweep_layers(w);
  if (point.campaign && !add_campaign(p, *point.campaign, seed, stop)) p.done = false;
  return p;
}

}  // namespace accsim
