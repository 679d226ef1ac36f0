#include "workloads/io/table.h"

#include <set>

namespace accsim {

namespace {

const char* type_name(CellType t) {
  static const char* const names[] = {"an integer", "a real number", "text"};
  return names[static_cast<int>(t)];
}

}  // namespace

Table::Table(std::vector<ColumnSpec> columns) : specs_(std::move(columns)) {
  std::set<std::string> seen;
  for (const ColumnSpec& c : specs_) {
    if (c.name.empty() || !seen.insert(c.name).second)
      throw std::invalid_argument("table: empty or repeated column name '" + c.name + "'");
    if (c.type == CellType::integer) values_.emplace_back(std::vector<std::int64_t>{});
    if (c.type == CellType::real) values_.emplace_back(std::vector<double>{});
    if (c.type == CellType::text) values_.emplace_back(std::vector<std::string>{});
  }
}

void Table::add_row(const std::vector<Cell>& cells) {
  if (cells.size() != specs_.size())
    throw std::invalid_argument("table: a row of " + std::to_string(cells.size()) + " cells for " +
                                std::to_string(specs_.size()) + " columns");
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const CellType want = specs_[c].type, have = cells[c].type();
    if (have != want && !(want == CellType::real && have == CellType::integer))
      throw std::invalid_argument("table: column '" + specs_[c].name + "' holds " + type_name(want) + ", got " +
                                  type_name(have));
  }
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const Cell& x = cells[c];
    if (specs_[c].type == CellType::integer) std::get<0>(values_[c]).push_back(x.integer());
    if (specs_[c].type == CellType::real)
      std::get<1>(values_[c]).push_back(x.type() == CellType::integer ? static_cast<double>(x.integer()) : x.real());
    if (specs_[c].type == CellType::text) std::get<2>(values_[c]).push_back(x.text());
  }
  ++rows_;
}

Cell Table::cell(std::size_t row, std::size_t column) const {
  const Values& v = values_.at(column);
  if (v.index() == 0) return std::get<0>(v).at(row);
  if (v.index() == 1) return std::get<1>(v).at(row);
  return std::get<2>(v).at(row);
}

namespace {

template <typename T, typename Values>
const std::vector<T>& column_of(const Values& v, const ColumnSpec& spec, CellType want) {
  if (spec.type != want)
    throw std::invalid_argument("table: column '" + spec.name + "' holds " + type_name(spec.type) + ", not " +
                                type_name(want));
  return std::get<std::vector<T>>(v);
}

}  // namespace

const std::vector<std::int64_t>& Table::integers(std::size_t column) const {
  return column_of<std::int64_t>(values_.at(column), specs_.at(column), CellType::integer);
}

const std::vector<double>& Table::reals(std::size_t column) const {
  return column_of<double>(values_.at(column), specs_.at(column), CellType::real);
}

const std::vector<std::string>& Table::texts(std::size_t column) const {
  return column_of<std::string>(values_.at(column), specs_.at(column), CellType::text);
}

}  // namespace accsim
