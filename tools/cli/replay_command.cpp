#include "tools/cli/replay_command.h"

#include <iostream>
#include <optional>
#include <string>
#include <utility>

#include "arch/input_error.h"
#include "tools/cli/campaign_command.h"
#include "tools/cli/config_overrides.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/io/run_attributes.h"
#include "workloads/pvf/pvf_setup.h"
#include "workloads/replay/campaign_replay.h"
#include "workloads/replay/pvf_replay.h"
#include "workloads/replay/replay_record.h"

namespace accsim {

namespace {

std::string pvf_outcome_name(PvfOutcome o) {
  static const char* const names[] = {"not counted (the fault-free model misclassifies the image)", "masked", "sdc",
                                      "crash"};
  return names[static_cast<int>(o) + 1];
}

// --experiment as a number, checked against the campaign before anything runs.
long long experiment_option(const RunOptions& options, long long experiments) {
  const std::string what = options.config_file + ": --experiment";
  const std::string& text = options.experiment;
  if (text.empty())
    throw InputError(what + ": required (the index of the experiment to replay, in [0, " +
                     std::to_string(experiments - 1) + "])");
  std::size_t used = 0;
  long long index = -1;
  try {
    index = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || used == 0)
    throw InputError(what + ": \"" + text + "\" is not an experiment index in [0, " + std::to_string(experiments - 1) +
                     "]");
  check_experiment_index(index, experiments, what);
  return index;
}

void print_record(std::ostream& out, const CampaignResults& header, const ExperimentResult& e) {
  out << "fault: " << describe(e.fault) << (e.node >= 0 ? " (strikes " + header.nodes.at(e.node) + ")" : "") << "\n"
      << "outcome: " << to_string(e.outcome) << " (" << e.correct_to_wrong << " images turned wrong, "
      << e.nonfinite_images << " with a NaN/Inf logit)\n"
      << "witness image " << e.image << ": fault-free top-1 " << e.golden_top1 << ", faulty top-1 " << e.faulty_top1
      << ", margin " << e.margin << "\n"
      << "first non-finite node: "
      << (e.nonfinite_node >= 0 ? header.graph_nodes.at(static_cast<std::size_t>(e.nonfinite_node)) : "none") << "\n";
}

int replay_campaign(const RunOptions& options, const RunConfig& rc, std::ostream& out, std::ostream& err) {
  const CampaignConfig& cc = campaign_block(rc, "replay");
  const long long index = experiment_option(options, cc.experiments);
  { ResultsFile probe(options.out_file); }  // fail before the fault-free runs if it cannot be written
  const CampaignSource source = load_campaign(rc, rc.seed, err);
  const CampaignReplayer replayer(source.campaign);
  const ExperimentResult e = replayer.replay(index, options.config_file + ": --experiment");
  ResultsFile h5(options.out_file);
  replayer.write(h5, index, e);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, "fast");
  h5.commit();
  out << "accsim " << ACCSIM_VERSION << " replay | campaign experiment " << index << " of " << cc.experiments
      << " | seed " << rc.seed << "\n";
  print_record(out, replayer.header(), e);
  out << "\nresults: " << options.out_file << "\n";
  return 0;
}

// An adaptive run's --experiment, "S:K" (stratum S's sample K: /experiments/stratum and
// /experiments/sample of the run's file), checked for its form before anything runs.
std::pair<int, long long> sample_option(const RunOptions& options) {
  const std::string what = options.config_file + ": --experiment";
  const std::string& text = options.experiment;
  const std::string form = "an adaptive run's (pvf.stop) experiment as STRATUM:SAMPLE (its /experiments/stratum and "
                           "/experiments/sample)";
  const std::size_t colon = text.find(':');
  if (text.empty()) throw InputError(what + ": required (" + form + ")");
  try {
    std::size_t a = 0, b = 0;
    const int stratum = std::stoi(text.substr(0, colon), &a);
    const long long sample = std::stoll(text.substr(colon + 1), &b);
    if (colon != std::string::npos && a == colon && b == text.size() - colon - 1) return {stratum, sample};
  } catch (const std::exception&) {
  }
  throw InputError(what + ": \"" + text + "\" is not " + form);
}

// A PVF run's --experiment, read once before the fault-free runs: an experiment index
// (checked against the run's count) or an adaptive run's stratum and sample.
struct PvfExperimentOption {
  std::optional<std::pair<int, long long>> sample;  // adaptive runs
  std::size_t index = 0;                            // the others
};

PvfExperimentOption pvf_experiment_option(const RunOptions& options, const PvfConfig& pc) {
  PvfExperimentOption o;
  if (pc.stop.enabled()) {
    o.sample = sample_option(options);
    return o;
  }
  const long long experiments =
      static_cast<long long>(pc.faults.models.size() * pc.faults.targets.size()) * pc.experiments;
  o.index = static_cast<std::size_t>(experiment_option(options, experiments));
  return o;
}

// The chosen experiment's index in the replayer's plan (an adaptive sample is planned now).
std::size_t plan_index(const PvfExperimentOption& o, PvfReplayer& replayer, const std::string& what) {
  return o.sample ? replayer.plan_sample(o.sample->first, o.sample->second, what) : o.index;
}

void print_pvf_record(std::ostream& out, const PvfConfig& pc, const PvfResults& plan, const PvfExperiment& e,
                      const Injection& injection, const PvfRuns& runs) {
  out << "model " << pc.faults.models.at(static_cast<std::size_t>(e.model)).describe() << " on target "
      << pc.faults.targets.at(static_cast<std::size_t>(e.target)).name << ", image " << e.image << ": "
      << e.bit_flips << " bit" << (e.bit_flips == 1 ? "" : "s") << " flipped in " << injection.flips.size()
      << " element" << (injection.flips.size() == 1 ? "" : "s") << " (first: " << plan.tensors.at(e.tensor) << "["
      << e.element << "] " << e.old_value << " -> " << e.new_value << ")\n";
  for (std::size_t v = 0; v < plan.variants.size(); ++v)
    out << plan.variants[v] << ": " << pvf_outcome_name(e.outcomes.at(v)) << "\n";
  const int nonfinite = first_nonfinite_node(*runs.graph, runs.golden, runs.faulty);
  out << "first non-finite node (unprotected): "
      << (nonfinite < 0 ? std::string("none") : runs.graph->nodes.at(static_cast<std::size_t>(nonfinite)).name) << "\n";
}

int replay_pvf(const RunOptions& options, const RunConfig& rc, std::ostream& out, std::ostream& err) {
  if (!rc.faults.empty())
    throw InputError(rc.file + ": faults: a PVF campaign corrupts parameters on a healthy array; remove \"faults\"");
  const PvfConfig& pc = *rc.pvf;
  const PvfExperimentOption chosen = pvf_experiment_option(options, pc);  // before the fault-free runs
  { ResultsFile probe(options.out_file); }
  const PvfSetup setup = load_pvf_setup(rc, rc.seed, err);
  PvfReplayer replayer(setup.campaign);
  const std::size_t index = plan_index(chosen, replayer, options.config_file + ": --experiment");
  Injection injection;
  const PvfExperiment e = replayer.replay(index, injection);
  const PvfRuns runs = replayer.record(e, injection);
  ResultsFile h5(options.out_file);
  write_pvf_replay(h5, setup.campaign, replayer.plan(), index, e, injection, runs);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, "fast");
  h5.commit();
  out << "accsim " << ACCSIM_VERSION << " replay | pvf experiment "
      << (pc.stop.enabled() ? std::to_string(e.stratum) + ":" + std::to_string(e.sample) + " (stratum:sample)"
                            : std::to_string(index) + " of " + std::to_string(replayer.plan().experiments.size()))
      << " | seed " << rc.seed << "\n";
  print_pvf_record(out, pc, replayer.plan(), e, injection, runs);
  out << "\nresults: " << options.out_file << "\n";
  return 0;
}

}  // namespace

int replay_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  if (rc.campaign && rc.pvf)
    throw InputError(rc.file + ": campaign, pvf: accsim replay reruns an experiment of one run; the config has both "
                               "blocks: remove the one you do not replay");
  if (!rc.campaign && !rc.pvf)
    throw InputError(rc.file + ": campaign: required key is missing (accsim replay reruns an experiment of a "
                               "campaign or a pvf run: it needs the run's \"campaign\" or \"pvf\" object)");
  return rc.pvf ? replay_pvf(options, rc, out, err) : replay_campaign(options, rc, out, err);
}

}  // namespace accsim
