#include "tools/cli/pvf_command.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "arch/input_error.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/stop_signals.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/plot_script.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/pvf/pvf_checkpoint.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/pvf/pvf_report.h"
#include "workloads/io/run_attributes.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/run_config.h"
#include "workloads/run/workload_input.h"

namespace accsim {

namespace {

// What the campaign runs on and how the output names it.
struct PvfSetup {
  PvfCampaign campaign;
  std::string model_name, model_source, input_source;
};

PvfSetup chain_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& err) {
  const PvfConfig& pc = *rc.pvf;
  CampaignInputs in = load_campaign_inputs(rc, "pvf.model", pc.model, pc.test_offset, pc.test_limit, pc.batch, seed, err);
  PvfSetup s;
  s.campaign.network = rc.workload.network;
  s.campaign.model_origin = rc.file + ": " + model_key_of(pc.model, "pvf.model", rc);
  s.campaign.params = std::move(in.params);
  s.campaign.images = std::move(in.images);
  s.campaign.labels = std::move(in.labels);
  s.model_name = rc.workload.network.name;
  s.model_source = std::move(in.model_source);
  s.input_source = std::move(in.input_source);
  return s;
}

// A graph model runs each pool image alone: the model with batch 1 (and the top-level
// activation clip at every Relu node).
PvfSetup graph_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& err) {
  const PvfConfig& pc = *rc.pvf;
  PvfSetup s;
  s.campaign.graph = load_graph_model(rc, 1);
  s.campaign.model_origin = rc.file + ": workload.model";
  const Graph& g = *s.campaign.graph;
  const std::vector<int> image(g.inputs.at(0).shape.begin() + 1, g.inputs.at(0).shape.end());
  WorkloadInput in = load_test_images(rc, image, "the model's input (per image)", pc.test_offset, pc.test_limit, seed, err);
  s.campaign.images = std::move(in.images);
  if (in.synthetic()) {
    err << "accsim: note: the synthetic images are labelled with the fault-free model's predictions (an SDC is any "
           "changed prediction)\n";
    s.campaign.labels = graph_predicted_labels(g, rc.array, s.campaign.images, pc.threads);
  } else {
    s.campaign.labels = std::move(in.labels);
  }
  s.model_name = std::filesystem::path(rc.workload.model).filename().string() + " (ONNX, " +
                 std::to_string(g.nodes.size()) + " nodes)";
  std::size_t tensors = 0, values = 0;
  for (const auto& [name, t] : g.initializers)
    if (!g.constants.count(name)) ++tensors, values += t.size();
  s.model_source = "its initializers (" + std::to_string(tensors) + " tensors, " + std::to_string(values) + " parameters)";
  s.input_source = std::move(in.source);
  return s;
}

}  // namespace

int pvf_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  if (!rc.pvf)
    throw InputError(rc.file + ": pvf: required key is missing (accsim pvf needs a \"pvf\" object, docs/pvf.md)");
  if (!rc.faults.empty())
    throw InputError(rc.file + ": faults: a PVF campaign corrupts parameters on a healthy array; remove \"faults\"");
  const PvfConfig& pc = *rc.pvf;
  const std::uint64_t seed = rc.seed;
  PvfSetup setup = rc.workload.graph ? graph_setup(rc, seed, err) : chain_setup(rc, seed, err);
  PvfCampaign& campaign = setup.campaign;
  campaign.array = rc.array;
  campaign.config = pc;
  campaign.seed = seed;

  const std::string checkpoint = checkpoint_path(options.out_file);
  check_output_path(options.out_file);
  const bool own_stderr = &err == &std::cerr;
  ProgressMeter meter(err, own_stderr ? progress_style_for_stderr(options.quiet) : ProgressStyle::none, "accsim: pvf");
  StopSignals signals;
  PvfRunOptions ro;
  ro.checkpoint = checkpoint;
  ro.stop = &signals.flag();
  ro.progress = &meter;
  const auto t0 = std::chrono::steady_clock::now();
  const PvfResults results = run_pvf(campaign, ro);
  meter.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!results.complete()) {
    err << "accsim: pvf stopped after " << results.done_count() << " of " << results.experiments.size()
        << " experiments; they are kept in " << checkpoint << ": rerun the same command to resume\n";
    return signals.exit_code();
  }

  const PvfSummary summary = summarize_pvf(campaign, results);
  ResultsFile h5(options.out_file);
  write_pvf_results(h5, campaign, results, summary);
  write_run_attributes(h5, rc, seed, "fast");
  h5.set_attribute("/", "model_source", setup.model_source);
  h5.set_attribute("/", "input_source", setup.input_source);
  if (campaign.graph) h5.set_attribute("/", "model", rc.workload.model);
  h5.commit();
  const std::string csv = std::filesystem::path(options.out_file).replace_extension(".csv").string();
  const std::string png = std::filesystem::path(options.out_file).replace_extension(".png").string();
  write_csv(csv, pvf_csv_table(campaign, results, summary));
  discard_checkpoint(options.out_file);

  const long long fresh = results.done_count() - results.resumed;
  const int threads = resolve_threads(pc.threads);
  out << "accsim " << ACCSIM_VERSION << " pvf | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ") | " << setup.model_name << ", "
      << setup.model_source << " | seed " << seed << "\n"
      << setup.input_source << " as the input pool; fault-free accuracy " << std::fixed << std::setprecision(1)
      << 100.0 * static_cast<double>(results.golden_correct[0]) / static_cast<double>(results.images) << "%\n"
      << std::defaultfloat << results.experiments.size() << " experiments (" << pc.experiments << " per fault model and target), each one draw of the fault model and one image drawn from the pool";
  if (results.resumed > 0) out << "; " << results.resumed << " resumed from " << checkpoint;
  out << "\n" << fresh << " run here on " << threads << " thread" << (threads > 1 ? "s" : "") << " in "
      << ProgressMeter::duration(seconds);
  if (fresh > 0 && seconds > 0)
    out << " (" << std::fixed << std::setprecision(0) << static_cast<double>(fresh) / seconds << " experiments/s)"
        << std::defaultfloat;
  out << "\n\n";
  print_pvf_summary(out, campaign, results, summary);
  out << "\nresults: " << options.out_file << ", " << csv;
  if (draw_plot("plot_pvf.py", {csv, png}, err)) out << ", " << png;
  out << "\n";
  return 0;
}

}  // namespace accsim
