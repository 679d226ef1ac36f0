#include "tools/cli/run_tables.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

#include "workloads/models/batch_effect.h"

namespace accsim {

namespace {

constexpr std::size_t kMaxName = 27;  // longer node names keep their last characters

std::size_t name_width(const std::vector<NodeReport>& rows) {
  std::size_t w = 5;
  for (const NodeReport& r : rows) w = std::max(w, std::min(kMaxName, r.node.size()));
  return w + 2;
}

std::string short_name(const std::string& name) {
  return name.size() > kMaxName ? "..." + name.substr(name.size() - (kMaxName - 3)) : name;
}

// "[n,c,h,w]->k" of the node's first job, " xN" when it ran N jobs.
std::string job_text(const NodeReport& r) {
  const ConvShape& s = r.first_job;
  std::ostringstream t;
  t << "[" << s.n << "," << s.c << "," << s.h << "," << s.w << "]->" << s.k;
  if (r.jobs > 1) t << " x" << r.jobs;
  return t.str();
}

std::string corrupted_text(const NodeReport& r) {
  long long total = 1;
  for (int d : r.output_shape) total *= d;
  return std::to_string(r.diff.corrupted) + "/" + std::to_string(total);
}

std::vector<int> top1(const Tensor& logits) {
  const int n = logits.dim(0), classes = static_cast<int>(logits.size() / n);
  std::vector<int> best(n);
  for (int i = 0; i < n; ++i) best[i] = argmax_row(logits.data() + static_cast<std::size_t>(i) * classes, classes);
  return best;
}

}  // namespace

std::string array_title(const ArrayConfig& a) {
  return "array " + a.name + " (" + std::to_string(a.atomic_c) + "x" + std::to_string(a.atomic_k) + ", " +
         to_string(a.datatype) + ", swizzle " + to_string(a.swizzle) + ")";
}

void print_node_table(std::ostream& out, const std::vector<NodeReport>& rows) {
  const int w = static_cast<int>(name_width(rows));
  // With array.memory every job moves bytes: the memory side's stalls and traffic get columns.
  const bool memory = std::any_of(rows.begin(), rows.end(), [](const NodeReport& r) { return r.dram_read_bytes > 0; });
  out << std::left << std::setw(w) << "layer" << std::setw(7) << "op" << std::right << std::setw(20) << "job [n,c,h,w]->k"
      << std::setw(11) << "cycles" << std::setw(11) << "MACs" << std::setw(7) << "util%" << std::setw(8) << "wload"
      << std::setw(8) << "stalls";
  if (memory)
    out << std::setw(8) << "dfetch" << std::setw(9) << "dram" << std::setw(7) << "sdp" << std::setw(11) << "DRAM rd B"
        << std::setw(11) << "DRAM wr B";
  out << std::setw(12) << "energy" << std::setw(16) << "corrupted" << std::setw(8) << "nan/inf" << std::setw(13) << "max |error|" << std::setw(6)
      << "cbuf" << "\n";
  for (const NodeReport& r : rows) {
    out << std::left << std::setw(w) << short_name(r.node) << std::setw(7) << r.op << std::right << std::setw(20)
        << job_text(r) << std::setw(11) << r.cycles << std::setw(11) << r.macs << std::setw(7) << std::fixed
        << std::setprecision(1) << 100.0 * r.utilisation << std::setw(8) << r.weight_load_cycles << std::setw(8)
        << r.stall_cycles;
    if (memory)
      out << std::setw(8) << r.data_fetch_stall_cycles << std::setw(9) << r.dram_stall_cycles << std::setw(7)
          << r.postprocess_cycles << std::setw(11) << r.dram_read_bytes << std::setw(11) << r.dram_write_bytes;
    out << std::setw(12) << energy_text(r.energy.total_pj()) << std::setw(16) << corrupted_text(r) << std::setw(8) << r.diff.non_finite << std::setw(13) << std::scientific
        << std::setprecision(3) << r.diff.max_abs_error << std::setw(6) << (r.fits_cbuf ? "fits" : "over")
        << std::defaultfloat << "\n";
  }
}

void print_energy_total(std::ostream& out, const std::vector<NodeReport>& rows) {
  EnergyEstimate total;
  for (const NodeReport& r : rows) total += r.energy;
  out << "total energy " << energy_text(total.total_pj()) << " (MAC " << energy_text(total.mac_pj) << ", register "
      << energy_text(total.register_pj) << ", CBUF " << energy_text(total.cbuf_pj) << ", DRAM "
      << energy_text(total.dram_pj) << "; table: docs/cycle_model.md, \"Energy\")\n";
}

void print_predictions(std::ostream& out, const WorkloadInput& input, const Tensor& golden, const Tensor& faulty) {
  if (golden.rank() != 2) return;  // not a classifier's logits
  const std::vector<int> g = top1(golden), f = top1(faulty);
  if (g.size() == 1) {
    out << "label " << (input.synthetic() ? std::string("none (synthetic image)") : std::to_string(input.labels[0]))
        << ", predicted class fault-free " << g[0] << ", faulty " << f[0] << "\n";
    return;
  }
  const std::size_t shown = std::min<std::size_t>(g.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) {
    out << "image " << i;
    if (!input.labels.empty()) out << " (label " << input.labels[i] << ")";
    out << ": predicted fault-free " << g[i] << ", faulty " << f[i] << "\n";
  }
  if (g.size() > shown) out << "(" << g.size() - shown << " more images in the results file)\n";
  if (input.labels.empty()) return;
  int correct_g = 0, correct_f = 0;
  for (std::size_t i = 0; i < g.size(); ++i) correct_g += g[i] == input.labels[i], correct_f += f[i] == input.labels[i];
  out << "accuracy fault-free " << correct_g << "/" << g.size() << ", faulty " << correct_f << "/" << g.size() << "\n";
}

void print_swizzle_report(std::ostream& out, const std::vector<SwizzleReportRow>& report,
                          const std::vector<NodeReport>& rows) {
  const int w = static_cast<int>(name_width(rows));
  out << "\nswizzle report (each layer alone on its fault-free input): affected weights % / affected outputs %\n";
  out << std::left << std::setw(w) << "layer" << std::right;
  for (const auto& name : swizzle_policy_names())
    if (std::any_of(report.begin(), report.end(), [&](const SwizzleReportRow& r) { return to_string(r.policy) == name; }))
      out << std::setw(18) << name;
  out << "\n";
  for (const NodeReport& node : rows) {
    out << std::left << std::setw(w) << short_name(node.node) << std::right;
    for (const auto& r : report) {
      if (r.layer != node.node) continue;
      std::ostringstream cell;
      cell << std::fixed << std::setprecision(1) << 100 * r.weight_fraction() << " / " << 100 * r.output_fraction();
      out << std::setw(18) << cell.str();
    }
    out << "\n";
  }
}

}  // namespace accsim
