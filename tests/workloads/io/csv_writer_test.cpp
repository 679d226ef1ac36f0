#include "workloads/io/csv_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "arch/random.h"
#include "workloads/io/csv_test_reader.h"

namespace accsim {
namespace {

using testing::parse_csv;

TEST(CsvWriter, QuotesFieldsWithCommasQuotesAndLineBreaksAndDoublesTheirQuotes) {
  EXPECT_EQ(csv_field("plain text"), "plain text");
  EXPECT_EQ(csv_field("[3,5]"), "\"[3,5]\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field("cr\rhere"), "\"cr\rhere\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(CsvWriter, ValuesWithSeparatorsKeepEveryRowAtTheHeadersFieldCount) {
  Table t({{"point", CellType::integer, ""}, {"faults[0].pe", CellType::text, ""}, {"note", CellType::text, ""},
           {"cycles", CellType::integer, "cycles"}});
  t.add_row({0, "[3,5]", "a \"quoted\", note", 1200});
  t.add_row({1, "[1,2]", "line\nbreak", 900});
  const auto rows = parse_csv(csv_text(t));
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) EXPECT_EQ(row.size(), 4u);
  EXPECT_EQ(rows[0][1], "faults[0].pe");
  EXPECT_EQ(rows[1][1], "[3,5]");
  EXPECT_EQ(rows[1][2], "a \"quoted\", note");
  EXPECT_EQ(rows[2][2], "line\nbreak");
  EXPECT_EQ(rows[2][3], "900");
}

TEST(CsvWriter, IntegersAsIntegersAndRealsAsTheShortestTextThatReadsBackExactly) {
  Table t({{"n", CellType::integer, ""}, {"x", CellType::real, ""}});
  t.add_row({std::int64_t{9007199254740993}, 0.1});
  t.add_row({-7, 100.0});
  t.add_row({0, 1e-9});
  t.add_row({1, std::numeric_limits<double>::quiet_NaN()});
  t.add_row({2, -std::numeric_limits<double>::infinity()});
  EXPECT_EQ(csv_text(t), "n,x\n9007199254740993,0.1\n-7,100\n0,1e-09\n1,nan\n2,-inf\n");
  Rng rng(7);
  Table r({{"x", CellType::real, ""}});
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) {
    const double m = static_cast<double>(rng.uniform(-1.0f, 1.0f)) + static_cast<double>(rng.uniform01()) * 1e-9;
    const double v = std::ldexp(m, static_cast<int>(rng.below(200)) - 100);
    values.push_back(v);
    r.add_row({v});
  }
  const auto rows = parse_csv(csv_text(r));
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& text = rows[i + 1][0];
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), values[i]) << text;
    EXPECT_LE(text.size(), 24u) << text;  // shortest: never the 17-digit %.17g padding
  }
}

TEST(CsvWriter, AnotherDialectChangesSeparatorsAndRealsOnly) {
  Table t({{"Layer ID", CellType::integer, ""}, {"Util %", CellType::real, ""}});
  t.add_row({0, 12.5});
  const CsvDialect d{", ", ",\n", [](double) { return std::string("R"); }};
  EXPECT_EQ(csv_text(t, d), "Layer ID, Util %,\n0, R,\n");
}

}  // namespace
}  // namespace accsim
