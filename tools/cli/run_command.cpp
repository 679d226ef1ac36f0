#include "tools/cli/run_command.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "arch/pe_faults.h"
#include "faultmodels/checked_engine.h"
#include "workloads/run/engines.h"
#include "workloads/run/swizzle_report.h"
#include "workloads/models/inference.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/run/run_config.h"
#include "workloads/run/workload_input.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/graph_run_command.h"
#include "workloads/models/workload_parameters.h"
#include "tools/cli/topology_command.h"

namespace accsim {

namespace {

// Does the job's input and weight data fit the convolution buffer at once? (NVDLA
// otherwise splits the layer and refetches; accsim reports it, the timing assumes it fits.)
bool fits_cbuf(const ConvShape& s, const ArrayConfig& a) {
  const long long elements = static_cast<long long>(s.n) * s.c * s.h * s.w + static_cast<long long>(s.k) * s.c * s.r * s.s;
  return elements * bytes_per_element(a.datatype) <= a.cbuf_bytes;
}

int argmax(const Tensor& logits) {
  int best = 0;
  for (std::size_t i = 1; i < logits.size(); ++i)
    if (logits[i] > logits[best]) best = static_cast<int>(i);
  return best;
}

}  // namespace

void print_faults(std::ostream& out, const RunConfig& rc) {
  out << "faults:";
  if (rc.faults.empty() && rc.protected_faults.empty()) out << " none";
  for (const auto& f : rc.faults) out << "\n  " << describe(f);
  for (const auto& f : rc.protected_faults) out << "\n  " << describe(f) << ": on a protected bit (mitigations.protect_bits), never acts";
  out << "\n";
}

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  if (!rc.workload.topology.empty()) return topology_command(rc, options, out, err);
  if (rc.workload.graph) return graph_run_command(rc, options, out, err);
  const std::uint64_t seed = rc.seed;
  const Network& net = rc.workload.network;
  const WorkloadParameters parameters = load_workload_parameters(rc, seed);
  const NetworkParameters& params = parameters.params;
  const WorkloadInput input = load_workload_input(rc, seed, net, err);
  const Tensor& image = input.images;
  const std::string& source = input.source;

  const PeFaults healthy;
  const PeFaults faulty(rc.array, rc.faults);
  const NetworkRun golden = run_network(net, params, image, *make_engine(options.engine, rc.array, healthy));
  const auto faulty_engine = make_engine(options.engine, rc.array, faulty);
  std::unique_ptr<CheckedEngine> checked;
  if (rc.mitigations.check != MitigationCheck::none)
    checked = std::make_unique<CheckedEngine>(
        *faulty_engine, rc.array, rc.mitigations.check == MitigationCheck::abft ? CheckKind::abft : CheckKind::duplicate);
  const NetworkRun corrupted =
      run_network(net, params, image, checked ? static_cast<Engine&>(*checked) : *faulty_engine);

  out << "accsim " << ACCSIM_VERSION << " | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | " << net.name << " on " << source << " | seed " << seed << " | engine " << options.engine << "\n"
      << parameters.source << "\n";
  print_faults(out, rc);
  out << "\n";
  out << std::left << std::setw(7) << "layer" << std::right << std::setw(16) << "job [n,c,h,w]->k" << std::setw(10)
      << "cycles" << std::setw(9) << "MACs" << std::setw(8) << "util%" << std::setw(8) << "wload" << std::setw(8) << "stalls" << std::setw(12) << "corrupted"
      << std::setw(8) << "nan/inf" << std::setw(14) << "max |error|" << std::setw(6) << "cbuf" << "\n";
  Table summary({{"cycles", CellType::integer, "cycles"},
                 {"start_cycle", CellType::integer, "cycles"},
                 {"macs", CellType::integer, ""},
                 {"utilisation", CellType::real, "fraction"},
                 {"stall_cycles", CellType::integer, "cycles"},
                 {"weight_load_cycles", CellType::integer, "cycles"},
                 {"corrupted_outputs", CellType::integer, ""},
                 {"nonfinite_outputs", CellType::integer, ""},
                 {"max_abs_error", CellType::real, ""}});
  for (std::size_t i = 0; i < golden.layers.size(); ++i) {
    const LayerRun& g = golden.layers[i];
    const LayerRun& f = corrupted.layers[i];
    const OutputDiff d = compare_outputs(g.output, f.output);
    const ConvShape& s = g.job.shape;
    std::ostringstream job;
    job << "[" << s.n << "," << s.c << "," << s.h << "," << s.w << "]->" << s.k;
    std::ostringstream corrupted_text;
    corrupted_text << d.corrupted << "/" << g.output.size();
    out << std::left << std::setw(7) << g.job.layer << std::right << std::setw(16) << job.str() << std::setw(10)
        << f.timing.cycles << std::setw(9) << f.timing.macs << std::setw(8) << std::fixed << std::setprecision(1)
        << 100.0 * f.timing.utilisation << std::setw(8) << f.timing.weight_load_cycles << std::setw(8)
        << f.timing.stall_cycles << std::setw(12) << corrupted_text.str() << std::setw(8)
        << d.non_finite << std::setw(14) << std::scientific << std::setprecision(3) << d.max_abs_error
        << std::setw(6) << (fits_cbuf(s, rc.array) ? "fits" : "over") << "\n"
        << std::defaultfloat;
    summary.add_row({f.timing.cycles, f.start_cycle, f.timing.macs, f.timing.utilisation, f.timing.stall_cycles,
                     f.timing.weight_load_cycles, d.corrupted, d.non_finite, d.max_abs_error});
  }
  out << "total cycles " << corrupted.cycles << " (" << std::fixed << std::setprecision(2)
      << corrupted.cycles / rc.array.clock_mhz << " us at " << rc.array.clock_mhz << " MHz)" << std::defaultfloat << "\n"
      << "label " << (input.synthetic() ? std::string("none (synthetic image)") : std::to_string(input.labels[0]))
      << ", predicted class fault-free " << argmax(golden.logits) << ", faulty " << argmax(corrupted.logits) << "\n";

  if (checked) {
    const CheckStats& cs = checked->stats();
    out << "mitigation " << checked->name() << ": " << cs.detections << " of " << cs.jobs << " jobs flagged, "
        << cs.corrected << " corrected by re-execution, cycle overhead " << std::fixed << std::setprecision(1)
        << 100.0 * cs.overhead() << "%" << std::defaultfloat << "\n";
  }
  if (net.clip.mode != ClipMode::none)
    out << "mitigation: activations clipped at " << net.clip.threshold
        << (net.clip.mode == ClipMode::saturate ? " (saturating)" : " (zeroing)") << "\n";

  const auto report = swizzle_report(net, params, image, rc.array, rc.faults);
  out << "\nswizzle report (each layer alone on its fault-free input): affected weights % / affected outputs %\n";
  out << std::left << std::setw(7) << "layer" << std::right;
  for (const auto& name : swizzle_policy_names())
    if (std::any_of(report.begin(), report.end(), [&](const SwizzleReportRow& r) { return to_string(r.policy) == name; }))
      out << std::setw(18) << name;
  out << "\n";
  for (const auto& layer : net.layers) {
    out << std::left << std::setw(7) << layer.name << std::right << std::fixed << std::setprecision(1);
    for (const auto& r : report) {
      if (r.layer != layer.name) continue;
      std::ostringstream cell;
      cell << std::fixed << std::setprecision(1) << 100 * r.weight_fraction() << " / " << 100 * r.output_fraction();
      out << std::setw(18) << cell.str();
    }
    out << std::defaultfloat << "\n";
  }

  ResultsFile h5(options.out_file);
  write_output_format(h5, kRunOutput);
  write_run_attributes(h5, rc, seed, options.engine);
  h5.set_attribute("/", "input_source", source);
  h5.set_attribute("/", "model_source", parameters.source);
  h5.set_attribute("/", "datatype", to_string(rc.array.datatype));
  std::vector<std::string> fault_text;
  for (const auto& f : rc.faults) fault_text.push_back(describe(f));
  h5.write_strings("/faults", fault_text);
  h5.write_tensor("/input", image);
  h5.write_tensor("/golden/logits", golden.logits);
  h5.write_tensor("/faulty/logits", corrupted.logits);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < golden.layers.size(); ++i) {
    const LayerRun& g = golden.layers[i];
    const LayerRun& f = corrupted.layers[i];
    const std::string base = "/layers/" + g.job.layer;
    names.push_back(g.job.layer);
    h5.write_tensor(base + "/weights", params.weights[i]);
    h5.write_tensor(base + "/golden_output", g.output);
    h5.write_tensor(base + "/faulty_output", f.output);
  }
  h5.write_strings("/layer_names", names);
  h5.write_table("/summary", summary);
  h5.write_strings("/swizzle_policies", swizzle_policy_names());
  h5.write_table("/swizzle_report", swizzle_report_table(report, names));
  h5.commit();
  out << "results: " << options.out_file << "\n";
  return 0;
}

}  // namespace accsim
