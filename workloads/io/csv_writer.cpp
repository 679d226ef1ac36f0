#include "workloads/io/csv_writer.h"

#include <fmt/format.h>

#include "workloads/io/text_file.h"

namespace accsim {

std::string shortest_real_text(double v) { return fmt::format("{}", v); }

std::string csv_field(std::string_view text, std::string_view separator) {
  const bool quote = text.find_first_of("\"\r\n") != std::string_view::npos ||
                     (!separator.empty() && text.find(separator.front()) != std::string_view::npos);
  if (!quote) return std::string(text);
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

std::string cell_text(const Cell& c, const CsvDialect& d) {
  switch (c.type()) {
    case CellType::integer:
      return fmt::format("{}", c.integer());
    case CellType::real:
      return d.real_text(c.real());
    case CellType::text:
      break;
  }
  return csv_field(c.text(), d.separator);
}

}  // namespace

std::string csv_text(const Table& table, const CsvDialect& d) {
  std::string out;
  const auto& columns = table.columns();
  for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? d.separator : "") + csv_field(columns[c].name, d.separator);
  out += d.row_end;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? d.separator : "") + cell_text(table.cell(r, c), d);
    out += d.row_end;
  }
  return out;
}

void write_csv(const std::string& path, const Table& table, const CsvDialect& dialect) {
  write_text_atomically(path, csv_text(table, dialect));
}

}  // namespace accsim
