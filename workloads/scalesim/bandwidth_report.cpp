#include "workloads/scalesim/bandwidth_report.h"

#include <filesystem>

#include "arch/memory_timing.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/text_file.h"
#include "workloads/scalesim/compute_report.h"

namespace accsim {

namespace {

const std::vector<std::string> kColumns = {
    "LayerID",           "Avg IFMAP SRAM BW", "Avg FILTER SRAM BW", "Avg OFMAP SRAM BW", "Avg IFMAP DRAM BW",
    "Avg FILTER DRAM BW", "Avg OFMAP DRAM BW", "DRAM Read Bytes",    "DRAM Write Bytes",  "CBUF Read Bytes",
    "CBUF Write Bytes"};

}  // namespace

BandwidthReportRow bandwidth_report_row(const ConvShape& sh, const ArrayConfig& a, const JobTiming& timing) {
  const double bpe = bytes_per_element(a.datatype), cycles = static_cast<double>(timing.cycles);
  auto per_cycle = [&](long long bytes) { return static_cast<double>(bytes) / bpe / cycles; };
  // CSC's reads do not depend on the memory side: the same counts as memory_traffic's.
  const long long rs = static_cast<long long>(sh.r) * sh.s, weights = static_cast<long long>(sh.k) * sh.c * rs;
  const long long groups = (sh.k + a.atomic_k - 1) / a.atomic_k;
  const long long tiles = (sh.pixels() + a.stripe_length - 1) / a.stripe_length;
  const MemoryTraffic t = memory_traffic(sh, a);
  BandwidthReportRow r;
  r.ifmap_sram = static_cast<double>(groups * rs * sh.pixels() * sh.c) / cycles;
  r.filter_sram = static_cast<double>(tiles * weights) / cycles;
  r.ofmap_sram = static_cast<double>(sh.pixels() * sh.k) / cycles;
  r.ifmap_dram = per_cycle(t.dram_data_read_bytes);
  r.filter_dram = per_cycle(t.dram_weight_read_bytes);
  r.ofmap_dram = per_cycle(t.dram_write_bytes);
  r.dram_read_bytes = timing.dram_read_bytes;
  r.dram_write_bytes = timing.dram_write_bytes;
  r.cbuf_read_bytes = timing.cbuf_read_bytes;
  r.cbuf_write_bytes = timing.cbuf_write_bytes;
  return r;
}

std::string bandwidth_report_path(const std::string& results_file) {
  return (std::filesystem::path(compute_report_path(results_file)).parent_path() / "BANDWIDTH_REPORT.csv").string();
}

std::string format_bandwidth_report(const std::vector<BandwidthReportRow>& rows) {
  std::vector<ColumnSpec> specs;
  for (std::size_t c = 0; c < kColumns.size(); ++c)
    specs.push_back({kColumns[c], c == 0 || c >= 7 ? CellType::integer : CellType::real, ""});
  Table t(specs);
  for (std::size_t id = 0; id < rows.size(); ++id) {
    const BandwidthReportRow& r = rows[id];
    t.add_row({id, r.ifmap_sram, r.filter_sram, r.ofmap_sram, r.ifmap_dram, r.filter_dram, r.ofmap_dram,
               r.dram_read_bytes, r.dram_write_bytes, r.cbuf_read_bytes, r.cbuf_write_bytes});
  }
  return csv_text(t, CsvDialect{", ", ",\n", python_float_text});
}

void write_bandwidth_report(const std::string& path, const std::vector<BandwidthReportRow>& rows) {
  write_text_atomically(path, format_bandwidth_report(rows));
}

}  // namespace accsim
