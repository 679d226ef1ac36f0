#include "workloads/train_campaign/train_campaign_summary.h"

#include <array>
#include <functional>
#include <map>

#include "workloads/experiments/wilson_interval.h"

namespace accsim {

namespace {

using Counts = std::array<long long, 4>;  // per TrainOutcome

std::vector<ColumnSpec> summary_columns() {
  std::vector<ColumnSpec> c = {{"group", CellType::text, ""}, {"value", CellType::text, ""},
                               {"experiments", CellType::integer, ""}};
  for (const std::string& o : train_outcome_names()) {
    c.push_back({o, CellType::integer, ""});
    for (const char* s : {"_rate", "_lo", "_hi"}) c.push_back({o + s, CellType::real, "fraction"});
  }
  return c;
}

void add_row(Table& t, const std::string& group, const std::string& value, const Counts& n) {
  long long total = 0;
  for (long long k : n) total += k;
  std::vector<Cell> row = {group, value, total};
  for (long long k : n) {
    const Interval ci = wilson_interval(k, total);
    row.insert(row.end(), {k, static_cast<double>(k) / static_cast<double>(total), ci.lo, ci.hi});
  }
  t.add_row(row);
}

// Sort key then label of a fault in each group (bits sort numerically).
struct Grouping {
  std::string group;
  std::function<std::pair<int, std::string>(const TrainFault&)> key;
};

const std::vector<Grouping>& groupings() {
  static const std::vector<Grouping> g = {
      {"site", [](const TrainFault& f) { return std::make_pair(static_cast<int>(f.fault.site), to_string(f.fault.site)); }},
      {"kind", [](const TrainFault& f) { return std::make_pair(static_cast<int>(f.fault.kind), to_string(f.fault.kind)); }},
      {"pass",
       [](const TrainFault& f) {
         return f.fault.permanent() ? std::make_pair(3, std::string("permanent"))
                                    : std::make_pair(static_cast<int>(f.pass), to_string(f.pass));
       }},
      {"bit", [](const TrainFault& f) { return std::make_pair(f.fault.bit, std::to_string(f.fault.bit)); }},
  };
  return g;
}

}  // namespace

Table train_campaign_summary(const std::vector<TrainFault>& faults, const std::vector<TrainOutcome>& outcomes) {
  Table t(summary_columns());
  Counts all{};
  for (TrainOutcome o : outcomes) ++all[static_cast<std::size_t>(o)];
  add_row(t, "all", "all", all);
  for (const Grouping& g : groupings()) {
    std::map<std::pair<int, std::string>, Counts> by;
    for (std::size_t i = 0; i < faults.size(); ++i) ++by[g.key(faults[i])][static_cast<std::size_t>(outcomes[i])];
    for (const auto& [key, counts] : by) add_row(t, g.group, key.second, counts);
  }
  return t;
}

}  // namespace accsim
