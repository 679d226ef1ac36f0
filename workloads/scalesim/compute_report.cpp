#include "workloads/scalesim/compute_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>
#include <variant>

#include "arch/input_error.h"
#include "workloads/scalesim/csv_fields.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/text_file.h"

namespace accsim {
namespace {

// Every column after LayerID and the row member it holds; SCALE-Sim v2's first.
struct Column {
  std::string name;
  std::variant<long long ComputeReportRow::*, double ComputeReportRow::*> member;
};
using R = ComputeReportRow;
const std::vector<Column> kData = {
    {"Total Cycles", &R::total_cycles},
    {"Stall Cycles", &R::stall_cycles},
    {"Overall Util %", &R::overall_util_percent},
    {"Mapping Efficiency %", &R::mapping_efficiency_percent},
    {"Compute Util %", &R::compute_util_percent},
    {"Compute Cycles", &R::compute_cycles},
    {"Weight Load Stall Cycles", &R::weight_load_stall_cycles},
    {"Data Fetch Stall Cycles", &R::data_fetch_stall_cycles},
    {"Post-processing Cycles", &R::postprocess_cycles},
    {"Pipeline Drain Cycles", &R::pipeline_drain_cycles},
};
constexpr std::size_t kScalesimColumns = 6;  // LayerID and SCALE-Sim v2's five

const std::vector<std::string> kColumns = [] {
  std::vector<std::string> names{"LayerID"};
  for (const Column& c : kData) names.push_back(c.name);
  return names;
}();

bool is_integer(const Column& c) { return std::holds_alternative<long long R::*>(c.member); }

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }


std::string header_line(std::size_t columns = kColumns.size()) {
  std::string out;
  for (std::size_t i = 0; i < columns; ++i) out += (i ? ", " : "") + kColumns[i];
  return out + ",\n";
}

// How many columns a header names: accsim's all or SCALE-Sim's six; 0 for any other header.
std::size_t header_columns(const std::vector<std::string>& f) {
  for (const std::size_t n : {kColumns.size(), kScalesimColumns}) {
    bool ok = f.size() == n;
    for (std::size_t i = 0; ok && i < n; ++i) ok = normalise_header(f[i]) == normalise_header(kColumns[i]);
    if (ok) return n;
  }
  return 0;
}

}  // namespace

std::string python_float_text(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  const std::string sci(buf, res.ptr);  // shortest round-trip: "-d.ddde+XX"
  const std::size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string sign;
  if (mantissa[0] == '-') {
    sign = "-";
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char ch : mantissa)
    if (ch != '.') digits += ch;

  // Python's float repr: positional for exponents in [-4, 16), else d.ddde+XX.
  if (exponent >= -4 && exponent < 16) {
    std::string out;
    if (exponent < 0) {
      out = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const std::size_t int_digits = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= int_digits) {
        out = digits + std::string(int_digits - digits.size(), '0') + ".0";
      } else {
        out = digits.substr(0, int_digits) + "." + digits.substr(int_digits);
      }
    }
    return sign + out;
  }
  std::string out = digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  char exp_text[16];
  std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return sign + out + exp_text;
}

double mapping_efficiency(const ConvShape& shape, const ArrayConfig& array) {
  const long long G = ceil_div(shape.k, array.atomic_k), B = ceil_div(shape.c, array.atomic_c);
  return static_cast<double>(shape.c) * shape.k /
         (static_cast<double>(B) * array.atomic_c * static_cast<double>(G) * array.atomic_k);
}

ComputeReportRow compute_report_row(const ConvShape& shape, const ArrayConfig& array, const JobTiming& timing) {
  const double pes = array.pes();
  ComputeReportRow row;
  row.total_cycles = timing.cycles;
  row.stall_cycles = timing.dram_stall_cycles;
  row.compute_cycles = timing.atomic_ops;
  row.weight_load_stall_cycles = timing.stall_cycles;
  row.data_fetch_stall_cycles = timing.data_fetch_stall_cycles;
  row.postprocess_cycles = timing.postprocess_cycles;
  row.pipeline_drain_cycles = array.mac_pipeline_depth;
  row.overall_util_percent = percent(static_cast<double>(timing.macs), static_cast<double>(timing.cycles) * pes);
  row.mapping_efficiency_percent = 100.0 * mapping_efficiency(shape, array);
  row.compute_util_percent = percent(static_cast<double>(timing.macs), static_cast<double>(timing.atomic_ops) * pes);
  return row;
}

std::string compute_report_path(const std::string& results_file) {
  const std::filesystem::path out(results_file);
  return (out.parent_path() / out.stem() / "COMPUTE_REPORT.csv").string();
}

std::string format_compute_report(const std::vector<ComputeReportRow>& rows) {
  std::vector<ColumnSpec> specs;
  specs.push_back({kColumns[0], CellType::integer, ""});
  for (const Column& c : kData) specs.push_back({c.name, is_integer(c) ? CellType::integer : CellType::real, ""});
  Table t(specs);
  for (std::size_t id = 0; id < rows.size(); ++id) {
    std::vector<Cell> row{id};
    for (const Column& c : kData) {
      if (is_integer(c)) row.push_back(rows[id].*std::get<long long R::*>(c.member));
      else row.push_back(rows[id].*std::get<double R::*>(c.member));
    }
    t.add_row(row);
  }
  // SCALE-Sim's dialect: ", " between fields, a comma ending every line, Python's floats.
  return csv_text(t, CsvDialect{", ", ",\n", python_float_text});
}

void write_compute_report(const std::string& path, const std::vector<ComputeReportRow>& rows) {
  write_text_atomically(path, format_compute_report(rows));
}

std::vector<ComputeReportRow> read_compute_report(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a directory; expected COMPUTE_REPORT.csv");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the compute report: " + std::strerror(errno));

  auto fail = [&](int line, const std::string& column, const std::string& message) {
    throw InputError(path + ": line " + std::to_string(line) + (column.empty() ? "" : ", column '" + column + "'") +
                     ": " + message);
  };
  auto number = [&](const std::string& field, int line, const std::string& column, bool whole) {
    const std::string expected = whole ? "expected a whole number >= 0" : "expected a finite number >= 0";
    double v = 0;
    const auto res = std::from_chars(field.data(), field.data() + field.size(), v);
    if (field.empty() || res.ec != std::errc() || res.ptr != field.data() + field.size() || !std::isfinite(v) ||
        v < 0 || (whole && (v != std::floor(v) || v > 9007199254740992.0)))
      fail(line, column, expected + ", got '" + field + "'");
    return v;
  };

  std::vector<ComputeReportRow> rows;
  std::string line;
  int line_number = 0;
  std::size_t columns = 0;  // of the header: accsim's or SCALE-Sim's
  while (std::getline(in, line)) {
    ++line_number;
    const std::vector<std::string> f = split_fields(line);
    if (f.size() == 1 && f[0].empty()) continue;
    if (!columns) {
      columns = header_columns(f);
      if (!columns)
        fail(line_number, "", "unknown header '" + std::string(trim_field(line)) + "': expected '" +
                                  header_line().substr(0, header_line().size() - 2) + "' or SCALE-Sim's first six");
      continue;
    }
    if (f.size() != columns)
      fail(line_number, f.size() < columns ? kColumns[f.size()] : "",
           "expected " + std::to_string(columns) + " fields, got " + std::to_string(f.size()));
    const double id = number(f[0], line_number, kColumns[0], true);
    if (id != static_cast<double>(rows.size()))
      fail(line_number, kColumns[0], "expected " + std::to_string(rows.size()) + " (layers are numbered from 0), got '" + f[0] + "'");
    ComputeReportRow r;
    for (std::size_t i = 1; i < columns; ++i) {
      const Column& c = kData[i - 1];
      const double v = number(f[i], line_number, c.name, is_integer(c));
      if (is_integer(c)) r.*std::get<long long R::*>(c.member) = static_cast<long long>(v);
      else r.*std::get<double R::*>(c.member) = v;
    }
    rows.push_back(r);
  }
  if (in.bad()) throw InputError(path + ": cannot read the compute report: " + std::strerror(errno));
  if (!columns) throw InputError(path + ": empty file: expected the header '" + header_line().substr(0, header_line().size() - 1) + "'");
  return rows;
}

}  // namespace accsim
