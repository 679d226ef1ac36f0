#include "workloads/io/table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace accsim {
namespace {

Table example() {
  return Table({{"bit", CellType::integer, ""}, {"rate", CellType::real, "fraction"}, {"site", CellType::text, ""}});
}

TEST(Table, KeepsEachColumnsTypeAndIntegersExactly) {
  Table t = example();
  t.add_row({31, 0.25, "weight"});
  t.add_row({std::uint64_t{1} << 62, 1, std::string("psum")});  // an integer fits a real column
  EXPECT_EQ(t.rows(), 2u);
  EXPECT_EQ(t.integers(0), (std::vector<std::int64_t>{31, std::int64_t{1} << 62}));
  EXPECT_EQ(t.reals(1), (std::vector<double>{0.25, 1.0}));
  EXPECT_EQ(t.texts(2), (std::vector<std::string>{"weight", "psum"}));
  EXPECT_EQ(t.cell(1, 0).type(), CellType::integer);
  EXPECT_EQ(t.columns()[1].units, "fraction");
  EXPECT_THROW(t.reals(0), std::invalid_argument);
}

TEST(Table, RejectsRowsOfTheWrongWidthOrTypeAndLeavesTheTableUnchanged) {
  Table t = example();
  EXPECT_THROW(t.add_row({1, 0.5}), std::invalid_argument);
  EXPECT_THROW(t.add_row({1, 0.5, "x", 2}), std::invalid_argument);
  EXPECT_THROW(t.add_row({0.5, 0.5, "x"}), std::invalid_argument);  // a real in an integer column
  EXPECT_THROW(t.add_row({1, "x", "x"}), std::invalid_argument);
  EXPECT_EQ(t.rows(), 0u);
  EXPECT_TRUE(t.integers(0).empty());
  EXPECT_THROW(Cell(std::numeric_limits<std::uint64_t>::max()), std::out_of_range);
}

TEST(Table, RejectsEmptyAndRepeatedColumnNames) {
  EXPECT_THROW(Table({{"a", CellType::real, ""}, {"a", CellType::integer, ""}}), std::invalid_argument);
  EXPECT_THROW(Table({{"", CellType::real, ""}}), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
