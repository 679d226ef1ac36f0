#include "workloads/scalesim/scalesim_topology.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include "arch/input_error.h"
#include "arch/input_file.h"
#include "workloads/io/memory_limit.h"
#include "workloads/scalesim/csv_fields.h"

namespace accsim {
namespace {

const std::vector<std::string> kConvColumns = {"Layer name",   "IFMAP Height", "IFMAP Width", "Filter Height",
                                               "Filter Width", "Channels",     "Num Filter",  "Strides"};
const std::vector<std::string> kGemmColumns = {"Layer Name", "M", "N", "K"};

// Larger layers could overflow the 64-bit cycle and operation counts downstream.
constexpr double kMaxMacs = 9007199254740992.0;  // 2^53

// What one layer costs a run (measured about 680 bytes on `accsim` of a topology: the
// parsed job, its timing row, the report's and the HDF5 file's rows), rounded up: a
// 2-line file with a 2^24-channel depthwise layer is 2^24 layers.
constexpr double kBytesPerLayer = 1024.0;


bool is_blank(const std::vector<std::string>& fields) {
  for (const std::string& f : fields)
    if (!f.empty()) return false;
  return true;
}

std::string header_text(const std::vector<std::string>& columns) {
  std::string out;
  for (const std::string& c : columns) out += c + ", ";
  out.pop_back();  // SCALE-Sim's trailing comma, without the space
  return out;
}

// A header name as compared: no-break spaces (in SCALE-Sim's translation/gpt2.csv) count as spaces.
std::string header_key(std::string name) {
  for (std::size_t at = name.find("\xC2\xA0"); at != std::string::npos; at = name.find("\xC2\xA0"))
    name.replace(at, 2, " ");
  return normalise_header(name);
}

// What SCALE-Sim accepts with a caveat, collected per kind and reported once per kind.
class Warnings {
 public:
  void add(const std::string& kind, int line, const std::string& what) { hits_[kind].push_back({line, what}); }

  std::vector<std::string> lines(const std::string& file) const {
    std::vector<std::string> out;
    for (const auto& [kind, hits] : hits_) {
      std::string text = file + ": " + kind + ": ";
      for (std::size_t i = 0; i < hits.size() && i < 3; ++i)
        text += (i ? ", " : "") + std::string("line ") + std::to_string(hits[i].first) + " (" + hits[i].second + ")";
      if (hits.size() > 3) text += " and " + std::to_string(hits.size() - 3) + " more lines";
      out.push_back(text);
    }
    return out;
  }

 private:
  std::map<std::string, std::vector<std::pair<int, std::string>>> hits_;
};

const char* const kRenamed = "header names that differ from SCALE-Sim's are read by position, as SCALE-Sim reads them";
const char* const kExtraNames = "header names past the format's columns are ignored, as SCALE-Sim ignores them";
const char* const kTrailingText = "text after a row's last comma is ignored, as SCALE-Sim ignores it";
const char* const kExtraFields = "fields past the format's columns are ignored, as SCALE-Sim ignores them";

class RowParser {
 public:
  RowParser(const std::string& file, int line) : file_(file), line_(line) {}

  int line() const { return line_; }

  [[noreturn]] void fail(const std::string& message) const {
    throw InputError(file_ + ": line " + std::to_string(line_) + ": " + message);
  }
  [[noreturn]] void fail(const std::string& column, const std::string& message) const {
    throw InputError(file_ + ": line " + std::to_string(line_) + ", column '" + column + "': " + message);
  }

  // A decimal integer in [lo, hi]; `note` explains a bound that depends on another column.
  int integer(const std::string& field, const std::string& column, long long lo, long long hi,
              const std::string& note = "") const {
    const std::string expected =
        "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]" + note;
    long long v = 0;
    const bool digits_only = !field.empty() && field.size() <= 18 &&
                             field.find_first_not_of("0123456789") == std::string::npos;
    if (!digits_only) fail(column, expected + ", got '" + field + "'");
    std::from_chars(field.data(), field.data() + field.size(), v);
    if (v < lo || v > hi) fail(column, expected + ", got '" + field + "'");
    return static_cast<int>(v);
  }

  void check_field_count(const std::vector<std::string>& fields, const std::vector<std::string>& columns) const {
    std::string list = header_text(columns);
    list.pop_back();  // the columns without the row's trailing comma
    if (fields.size() < columns.size())
      fail(columns[fields.size()], "missing: expected " + std::to_string(columns.size()) + " fields (" + list +
                                       ") and a trailing comma, got " + std::to_string(fields.size()));
  }

  std::string name(const std::vector<std::string>& fields, const std::string& column) const {
    if (fields[0].empty()) fail(column, "expected a layer name, got ''");
    return fields[0];
  }

 private:
  const std::string& file_;
  int line_;
};

// The header's format; names that differ from SCALE-Sim's go to `warnings`.
TopologyFormat read_header(const std::vector<std::string>& names, const RowParser& row, std::string_view line,
                           Warnings& warnings) {
  const std::string first = header_key(names[0]);
  const bool layer = first == "layername" || first == "layer";
  if (!layer || (names.size() != kGemmColumns.size() && names.size() < kConvColumns.size()))
    row.fail("unknown header '" + std::string(trim_field(line)) + "': expected '" + header_text(kConvColumns) +
             "' (convolutions) or '" + header_text(kGemmColumns) + "' (GEMM)");
  const bool gemm = names.size() == kGemmColumns.size();
  const std::vector<std::string>& columns = gemm ? kGemmColumns : kConvColumns;
  for (std::size_t i = 1; i < names.size(); ++i) {
    const std::string key = header_key(names[i]);
    const std::string where = "column " + std::to_string(i + 1) + " '" + names[i] + "'";
    if (i >= columns.size()) {
      // SCALE-Sim's own 9-column form names the strides "Stride height, Stride width".
      if (!(i == columns.size() && !gemm && key == "stridewidth")) warnings.add(kExtraNames, row.line(), where);
    } else if (key != header_key(columns[i]) && !(i == 7 && key == "strideheight")) {
      warnings.add(kRenamed, row.line(), where + " where SCALE-Sim's format has '" + columns[i] + "'");
    }
  }
  return gemm ? TopologyFormat::gemm : TopologyFormat::conv;
}

// A row's fields as SCALE-Sim reads them: text after the last comma is dropped (with a
// warning), except in a row that has no trailing comma and exactly the format's fields.
std::vector<std::string> row_fields(std::string_view line, std::size_t columns, int line_number, Warnings& warnings) {
  std::vector<std::string> fields = split_fields(line);
  const std::string_view trimmed = trim_field(line);
  const bool trailing_comma = !trimmed.empty() && trimmed.back() == ',';
  if (!trailing_comma && fields.size() > columns) {
    warnings.add(kTrailingText, line_number, "'" + fields.back() + "'");
    fields.pop_back();
  }
  return fields;
}

void check_size(const RowParser& row, const ConvShape& s) {
  const double macs = static_cast<double>(s.n) * s.p() * s.q() * s.k * static_cast<double>(s.c) * s.r * s.s;
  if (macs > kMaxMacs) {
    std::ostringstream m;
    m << "the layer has " << macs << " multiply-accumulates, more than accsim can count (2^53)";
    row.fail(m.str());
  }
}

// Fields past a convolution's Strides: SCALE-Sim's stride width, then integers it ignores.
void read_conv_extras(const RowParser& row, const std::vector<std::string>& f, int stride, Warnings& warnings) {
  if (f.size() <= kConvColumns.size()) return;
  const std::string note = " (SCALE-Sim's stride width; accsim models one stride for both directions: Strides is " +
                           std::to_string(stride) + ")";
  row.integer(f[8], "Stride width", stride, stride, note);
  for (std::size_t i = kConvColumns.size() + 1; i < f.size(); ++i) {
    const std::string& v = f[i];
    const std::size_t digits = v.empty() || (v[0] != '+' && v[0] != '-') ? 0 : 1;
    if (v.size() == digits || v.find_first_not_of("0123456789", digits) != std::string::npos)
      row.fail("field " + std::to_string(i + 1), "expected an integer (SCALE-Sim converts every field of a row), got '" + v + "'");
    warnings.add(kExtraFields, row.line(), "field " + std::to_string(i + 1) + " '" + v + "'");
  }
}

// InputError naming the file and line when `layers` layers exceed the memory limit.
void check_layer_count(const RowParser& row, const std::string& file, std::size_t layers) {
  check_memory(static_cast<double>(layers) * kBytesPerLayer,
               file + ": line " + std::to_string(row.line()) + ": " + std::to_string(layers) +
                   " layers (a depthwise layer is one layer per channel)");
}

void parse_conv_row(const RowParser& row, const std::vector<std::string>& f, int batch, Topology& topo,
                    Warnings& warnings, const std::string& file) {
  row.check_field_count(f, kConvColumns);
  const long long hi = kMaxTopologyValue;
  const std::string name = row.name(f, kConvColumns[0]);
  ConvShape s;
  s.n = batch;
  s.h = row.integer(f[1], kConvColumns[1], 1, hi);
  s.w = row.integer(f[2], kConvColumns[2], 1, hi);
  const std::string no_padding = " (SCALE-Sim layers have no padding: the filter must fit in the IFMAP)";
  s.r = row.integer(f[3], kConvColumns[3], 1, s.h, no_padding);
  s.s = row.integer(f[4], kConvColumns[4], 1, s.w, no_padding);
  s.c = row.integer(f[5], kConvColumns[5], 1, hi);
  s.k = row.integer(f[6], kConvColumns[6], 1, hi);
  s.stride = row.integer(f[7], kConvColumns[7], 1, hi);
  s.pad = 0;
  read_conv_extras(row, f, s.stride, warnings);
  check_size(row, s);

  ConvJob job;
  job.kind = JobKind::forward_conv;
  job.shape = s;
  if (name.find("DP") == std::string::npos) {
    job.layer = name;
    job.swizzle_seed = topo.layers.size();
    topo.layers.push_back(job);
    return;
  }
  // SCALE-Sim's depthwise convention: one single-channel layer per input channel.
  check_layer_count(row, file, topo.layers.size() + static_cast<std::size_t>(s.c));
  job.shape.c = 1;
  for (int ch = 0; ch < s.c; ++ch) {
    job.layer = name + "Channel_" + std::to_string(ch);
    job.swizzle_seed = topo.layers.size();
    topo.layers.push_back(job);
  }
}

void parse_gemm_row(const RowParser& row, const std::vector<std::string>& f, Topology& topo, Warnings& warnings) {
  row.check_field_count(f, kGemmColumns);
  const long long hi = kMaxTopologyValue;
  ConvJob job;
  job.layer = row.name(f, kGemmColumns[0]);
  job.kind = JobKind::forward_fc;
  job.swizzle_seed = topo.layers.size();
  job.shape.n = row.integer(f[1], kGemmColumns[1], 1, hi);  // M: rows of the streamed operand
  job.shape.k = row.integer(f[2], kGemmColumns[2], 1, hi);  // N: columns of the stationary operand
  job.shape.c = row.integer(f[3], kGemmColumns[3], 1, hi);  // K: the reduction
  for (std::size_t i = kGemmColumns.size(); i < f.size(); ++i)
    warnings.add(kExtraFields, row.line(), "field " + std::to_string(i + 1) + " '" + f[i] + "'");
  check_size(row, job.shape);
  topo.layers.push_back(job);
}

}  // namespace

Topology parse_scalesim_topology_text(const std::string& text, const std::string& file, int batch) {
  if (batch < 1) throw std::invalid_argument("parse_scalesim_topology: batch must be >= 1");
  Topology topo;
  topo.name = std::filesystem::path(file).stem().string();

  // A NUL byte is no text (and no layer name an output may store).
  if (const std::size_t nul = text.find('\0'); nul != std::string::npos)
    throw InputError(file + ": line " + std::to_string(1 + std::count(text.begin(), text.begin() + nul, '\n')) +
                     ": a NUL byte; a topology is a text CSV file");
  std::string_view rest(text);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);  // UTF-8 byte-order mark
  int line_number = 0;
  int header_line = 0;
  Warnings warnings;
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    if (is_blank(split_fields(line))) continue;
    const RowParser row(file, line_number);
    if (header_line == 0) {
      header_line = line_number;
      topo.format = read_header(split_fields(line), row, line, warnings);
      continue;
    }
    const bool conv = topo.format == TopologyFormat::conv;
    const std::vector<std::string> fields =
        row_fields(line, (conv ? kConvColumns : kGemmColumns).size(), line_number, warnings);
    if (conv)
      parse_conv_row(row, fields, batch, topo, warnings, file);
    else
      parse_gemm_row(row, fields, topo, warnings);
    if (topo.layers.size() % 4096 == 0) check_layer_count(row, file, topo.layers.size());
  }
  if (header_line == 0)
    throw InputError(file + ": empty file: expected the header '" + header_text(kConvColumns) + "' or '" +
                     header_text(kGemmColumns) + "' and one row per layer");
  if (topo.layers.empty())
    throw InputError(file + ": no layers after the header on line " + std::to_string(header_line));
  topo.warnings = warnings.lines(file);
  return topo;
}

Topology parse_scalesim_topology(const std::string& file, int batch) {
  // A FIFO or a device (/dev/zero) would block or never end: regular files only.
  return parse_scalesim_topology_text(read_regular_file(file, "a SCALE-Sim topology CSV file", kMaxTopologyBytes),
                                      file, batch);
}

}  // namespace accsim
