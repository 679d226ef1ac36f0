#pragma once
// A results table: named columns of one type each (integer, real or text), each with its
// units, filled row by row. The same Table is written to HDF5 (ResultsFile::write_table)
// and to CSV (workloads/io/csv_writer.h), so both files hold the same columns with the
// same types: counts, bit positions and indices stay integers.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace accsim {

enum class CellType { integer, real, text };

// One value of a row. Any integer type becomes int64 (an unsigned value above INT64_MAX
// throws std::out_of_range), float and double become double. (Plain members rather than a
// std::variant: GCC 12 warns falsely on copies of a variant holding a string.)
class Cell {
 public:
  template <typename I, std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
  Cell(I v) : type_(CellType::integer), integer_(to_int64(v)) {}  // NOLINT(google-explicit-constructor): rows are brace lists
  Cell(double v) : type_(CellType::real), real_(v) {}               // NOLINT(google-explicit-constructor)
  Cell(std::string v) : type_(CellType::text), text_(std::move(v)) {}  // NOLINT(google-explicit-constructor)
  Cell(const char* v) : Cell(std::string(v)) {}                        // NOLINT(google-explicit-constructor)

  CellType type() const { return type_; }
  // std::logic_error unless the cell has that type.
  std::int64_t integer() const { return checked(CellType::integer), integer_; }
  double real() const { return checked(CellType::real), real_; }
  const std::string& text() const { return checked(CellType::text), text_; }

 private:
  template <typename I>
  static std::int64_t to_int64(I v) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
      if (v > static_cast<std::uint64_t>(INT64_MAX)) throw std::out_of_range("table cell: value exceeds int64");
    }
    return static_cast<std::int64_t>(v);
  }
  void checked(CellType t) const {
    if (t != type_) throw std::logic_error("table cell: read as another type than it holds");
  }
  CellType type_;
  std::int64_t integer_ = 0;
  double real_ = 0.0;
  std::string text_;
};

struct ColumnSpec {
  std::string name;
  CellType type = CellType::real;
  std::string units;  // e.g. "cycles", "fraction", "bytes"; empty: a plain number, a name or an index
};

class Table {
 public:
  // std::invalid_argument for an empty or repeated column name.
  explicit Table(std::vector<ColumnSpec> columns);

  // One cell per column, of the column's type (an integer cell fits a real column);
  // std::invalid_argument otherwise, and the table is unchanged.
  void add_row(const std::vector<Cell>& cells);

  const std::vector<ColumnSpec>& columns() const { return specs_; }
  std::size_t rows() const { return rows_; }
  Cell cell(std::size_t row, std::size_t column) const;
  // The whole column; std::invalid_argument unless the column has that type.
  const std::vector<std::int64_t>& integers(std::size_t column) const;
  const std::vector<double>& reals(std::size_t column) const;
  const std::vector<std::string>& texts(std::size_t column) const;

 private:
  using Values = std::variant<std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;
  std::vector<ColumnSpec> specs_;
  std::vector<Values> values_;
  std::size_t rows_ = 0;
};

}  // namespace accsim
