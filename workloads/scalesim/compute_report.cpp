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

#include "arch/input_error.h"
#include "workloads/scalesim/csv_fields.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/text_file.h"

namespace accsim {
namespace {

const std::vector<std::string> kColumns = {"LayerID",      "Total Cycles",         "Stall Cycles",
                                           "Overall Util %", "Mapping Efficiency %", "Compute Util %"};

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

double percent(double part, double whole) { return whole > 0 ? 100.0 * part / whole : 0.0; }


std::string header_line() {
  std::string out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) out += (i ? ", " : "") + kColumns[i];
  return out + ",\n";
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
  row.stall_cycles = timing.stall_cycles;
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
  for (std::size_t c = 0; c < kColumns.size(); ++c) specs.push_back({kColumns[c], c < 3 ? CellType::integer : CellType::real, ""});
  Table t(specs);
  for (std::size_t id = 0; id < rows.size(); ++id) {
    const ComputeReportRow& r = rows[id];
    t.add_row({id, r.total_cycles, r.stall_cycles, r.overall_util_percent, r.mapping_efficiency_percent,
               r.compute_util_percent});
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
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_number;
    const std::vector<std::string> f = split_fields(line);
    if (f.size() == 1 && f[0].empty()) continue;
    if (!header_seen) {
      bool ok = f.size() == kColumns.size();
      for (std::size_t i = 0; ok && i < f.size(); ++i) ok = normalise_header(f[i]) == normalise_header(kColumns[i]);
      if (!ok) fail(line_number, "", "unknown header '" + std::string(trim_field(line)) + "': expected '" + header_line().substr(0, header_line().size() - 1) + "'");
      header_seen = true;
      continue;
    }
    if (f.size() != kColumns.size())
      fail(line_number, f.size() < kColumns.size() ? kColumns[f.size()] : "",
           "expected " + std::to_string(kColumns.size()) + " fields, got " + std::to_string(f.size()));
    const double id = number(f[0], line_number, kColumns[0], true);
    if (id != static_cast<double>(rows.size()))
      fail(line_number, kColumns[0], "expected " + std::to_string(rows.size()) + " (layers are numbered from 0), got '" + f[0] + "'");
    ComputeReportRow r;
    r.total_cycles = static_cast<long long>(number(f[1], line_number, kColumns[1], true));
    r.stall_cycles = static_cast<long long>(number(f[2], line_number, kColumns[2], true));
    r.overall_util_percent = number(f[3], line_number, kColumns[3], false);
    r.mapping_efficiency_percent = number(f[4], line_number, kColumns[4], false);
    r.compute_util_percent = number(f[5], line_number, kColumns[5], false);
    rows.push_back(r);
  }
  if (in.bad()) throw InputError(path + ": cannot read the compute report: " + std::strerror(errno));
  if (!header_seen) throw InputError(path + ": empty file: expected the header '" + header_line().substr(0, header_line().size() - 1) + "'");
  return rows;
}

}  // namespace accsim
