#include "workloads/sweep/sweep_points_table.h"

#include <variant>

#include <nlohmann/json.hpp>

namespace accsim {

using nlohmann::json;

namespace {

// One column of the points table: its spec, whether only a campaign fills it, and the
// member of SweepPointResult it holds.
struct PointColumn {
  ColumnSpec spec;
  bool campaign;
  std::variant<long long SweepPointResult::*, double SweepPointResult::*> member;
};

const std::vector<PointColumn>& point_columns() {
  using R = SweepPointResult;
  const auto count = [](const char* name, const char* units) { return ColumnSpec{name, CellType::integer, units}; };
  const auto fraction = [](const char* name) { return ColumnSpec{name, CellType::real, "fraction"}; };
  static const std::vector<PointColumn> columns = {
      {count("cycles", "cycles"), false, &R::cycles},
      {count("analytical_cycles", "cycles"), false, &R::analytical_cycles},
      {count("macs", ""), false, &R::macs},
      {fraction("utilisation"), false, &R::utilisation},
      {count("stall_cycles", "cycles"), false, &R::stall_cycles},
      {count("weight_load_cycles", "cycles"), false, &R::weight_load_cycles},
      {count("corrupted_outputs", ""), false, &R::corrupted_outputs},
      {count("nonfinite_outputs", ""), false, &R::nonfinite_outputs},
      {count("pes", ""), false, &R::pes},
      {count("data_fetch_stall_cycles", "cycles"), false, &R::data_fetch_stall_cycles},
      {count("dram_stall_cycles", "cycles"), false, &R::dram_stall_cycles},
      {count("postprocess_cycles", "cycles"), false, &R::postprocess_cycles},
      {count("dram_read_bytes", "bytes"), false, &R::dram_read_bytes},
      {count("dram_write_bytes", "bytes"), false, &R::dram_write_bytes},
      {ColumnSpec{"energy_pj", CellType::real, "pJ"}, false, &R::energy_pj},
      {count("experiments", ""), true, &R::experiments},
      {fraction("sdc_rate"), true, &R::sdc_rate},
      {fraction("sdc_lo"), true, &R::sdc_lo},
      {fraction("sdc_hi"), true, &R::sdc_hi},
      {fraction("crash_rate"), true, &R::crash_rate},
      {fraction("crash_lo"), true, &R::crash_lo},
      {fraction("crash_hi"), true, &R::crash_hi},
  };
  return columns;
}

Cell cell_of(const SweepPointResult& p, const PointColumn& c) {
  if (const auto* m = std::get_if<long long SweepPointResult::*>(&c.member)) return p.*(*m);
  return p.*std::get<double SweepPointResult::*>(c.member);
}

void set_from(SweepPointResult& p, const PointColumn& c, double v) {
  if (const auto* m = std::get_if<long long SweepPointResult::*>(&c.member))
    p.*(*m) = static_cast<long long>(v);
  else
    p.*std::get<double SweepPointResult::*>(c.member) = v;
}

}  // namespace

Table points_table(const std::vector<SweepPointResult>& points, bool campaign) {
  std::vector<ColumnSpec> specs = {{"point", CellType::integer, ""}};
  for (const PointColumn& c : point_columns())
    if (campaign || !c.campaign) specs.push_back(c.spec);
  Table t(specs);
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].done) continue;
    std::vector<Cell> row = {i};
    for (const PointColumn& c : point_columns())
      if (campaign || !c.campaign) row.push_back(cell_of(points[i], c));
    t.add_row(row);
  }
  return t;
}

SweepPointResult point_of(const ResultsTable& t, std::size_t r) {
  SweepPointResult p;
  p.done = true;
  for (std::size_t k = 0; k < t.column_names.size(); ++k)
    for (const PointColumn& c : point_columns())
      if (c.spec.name == t.column_names[k]) set_from(p, c, t.columns[k][r]);
  return p;
}

std::string value_text(const std::string& json_text) {
  const json v = json::parse(json_text);
  return v.is_string() ? v.get<std::string>() : json_text;
}

Table csv_table(const Sweep& sweep, const std::vector<SweepPointResult>& points) {
  std::vector<const PointColumn*> timing, rates;
  for (const PointColumn& c : point_columns()) (c.campaign ? rates : timing).push_back(&c);
  if (!sweep.has_campaign()) rates.clear();
  std::vector<ColumnSpec> specs = {{"point", CellType::integer, ""}};
  for (const auto& k : sweep.keys) specs.push_back({k, CellType::text, ""});
  for (const PointColumn* c : timing) specs.push_back(c->spec);
  specs.push_back({"analytical_ratio", CellType::real, ""});
  for (const PointColumn* c : rates) specs.push_back(c->spec);
  Table t(specs);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPointResult& p = points[i];
    std::vector<Cell> row = {i};
    for (const auto& v : sweep.points[i].values) row.push_back(value_text(v));
    for (const PointColumn* c : timing) row.push_back(cell_of(p, *c));
    row.push_back(static_cast<double>(p.analytical_cycles) / static_cast<double>(p.cycles));
    for (const PointColumn* c : rates) row.push_back(cell_of(p, *c));
    t.add_row(row);
  }
  return t;
}

}  // namespace accsim
