#pragma once
// An RFC 4180 reader for the tests, written independently of workloads/io/csv_writer: quoted
// fields may hold commas, quotes (doubled) and line breaks; rows end in LF or CRLF.
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace accsim::testing {

using CsvRows = std::vector<std::vector<std::string>>;

inline CsvRows parse_csv(const std::string& text, char separator = ',') {
  CsvRows rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      if (field_started) throw std::runtime_error("csv: a quote inside an unquoted field");
      quoted = field_started = true;
    } else if (c == separator) {
      row.push_back(field);
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      field_started = false;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw std::runtime_error("csv: unterminated quoted field");
  if (field_started || !row.empty()) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

inline CsvRows read_csv_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream s;
  s << in.rdbuf();
  return parse_csv(s.str());
}

}  // namespace accsim::testing
