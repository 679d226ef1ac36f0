#pragma once
// The one CSV writer of every command. RFC 4180 fields: a field holding a comma, a
// double quote, CR or LF is quoted and its quotes doubled; integers are written as
// integers, reals as the shortest text that reads back as the same double (libfmt:
// 0.1, 1e-09, 100), NaN and infinities as nan, inf, -inf (what Python's float() reads);
// rows end in "\n". Every row has exactly the header's fields (a Table guarantees it).
// SCALE-Sim's own files use another dialect (", " between fields, a trailing comma,
// Python's float repr): compute_report.cpp passes it as a CsvDialect.
#include <string>
#include <string_view>

#include "workloads/io/table.h"

namespace accsim {

std::string shortest_real_text(double v);

struct CsvDialect {
  std::string separator = ",";
  std::string row_end = "\n";
  std::string (*real_text)(double) = shortest_real_text;
};

// `text` as one CSV field: unchanged, or quoted when it holds a separator, quote, CR or LF.
std::string csv_field(std::string_view text, std::string_view separator = ",");

// The header (column names) and one line per row.
std::string csv_text(const Table& table, const CsvDialect& dialect = {});

// csv_text written atomically (workloads/io/text_file.h); InputError naming `path`.
void write_csv(const std::string& path, const Table& table, const CsvDialect& dialect = {});

}  // namespace accsim
