// Reading a sweep block: the swept keys as JSON pointers, the grid's cartesian product or
// the listed points, and each point's config validated like any config before anything runs.
#include <algorithm>

#include "arch/config_reader.h"
#include "arch/input_error.h"
#include "arch/json_excerpt.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/run/run_config.h"
#include "workloads/sweep/sweep.h"

namespace accsim {

namespace {

using nlohmann::json;

// "faults[0].bit" -> "/faults/0/bit"; InputError for malformed paths.
json::json_pointer pointer_of(const std::string& path, const std::string& where) {
  const auto bad = [&] {
    throw InputError(where + ": \"" + path + "\" is not a key path like array.atomic_c or faults[0].bit");
  };
  std::string pointer;
  for (std::size_t i = 0; i < path.size();) {
    std::size_t j = path.find_first_of(".[", i);
    if (j == std::string::npos) j = path.size();
    if (j == i) bad();
    pointer += "/" + path.substr(i, j - i);
    while (j < path.size() && path[j] == '[') {
      const std::size_t close = path.find(']', j);
      if (close == std::string::npos || close == j + 1) bad();
      const std::string index = path.substr(j + 1, close - j - 1);
      if (index.find_first_not_of("0123456789") != std::string::npos) bad();
      pointer += "/" + index;
      j = close + 1;
    }
    if (j < path.size() && (path[j] != '.' || j + 1 == path.size())) bad();
    i = j + 1;
  }
  if (pointer.empty()) bad();
  return json::json_pointer(pointer);
}

// Keys a graph model (workload.model) does not read, most specific first: sweeping one
// would repeat the same point under different names, or fail only once points run.
struct GraphKeyRule {
  const char* prefix;
  const char* why;
};

const std::vector<GraphKeyRule>& graph_key_rules() {
  static const std::vector<GraphKeyRule> rules = {
      {"workload.network", "the graph model is the workload; networks are the built-in chains"},
      {"workload.parameters", "a graph model carries its own parameters"},
      {"workload.topology", "the graph model is the workload"},
      {"campaign.model", "a graph model carries its own parameters"},
      {"campaign.mitigations", "a sweep point reports the unprotected campaign (accsim campaign measures variants)"},
      {"mitigations.prune_faulty_weights", "a run prunes nothing (accsim train does)"},
  };
  return rules;
}

bool under(const std::string& key, const std::string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0 &&
         (key.size() == prefix.size() || key[prefix.size()] == '.' || key[prefix.size()] == '[');
}

// InputError naming the first swept key that a point's graph model does not read.
void check_graph_keys(const std::string& file, const std::vector<std::string>& keys, const json& point) {
  const json::json_pointer model("/workload/model");
  if (!point.contains(model)) return;
  for (const std::string& key : keys)
    for (const GraphKeyRule& rule : graph_key_rules())
      if (under(key, rule.prefix)) {
        throw InputError(file + ": sweep: \"" + key + "\" does not apply to a graph model (workload.model " +
                         point[model].dump() + "): " + rule.why);
      }
}

// Rethrows an InputError about a point's config with the point and its values after
// the file name: "sweep.json (sweep point 7: array.atomic_c=300): array.atomic_c: ...".
[[noreturn]] void throw_for_point(const std::string& file, const std::string& label, const InputError& e) {
  const std::string what = e.what(), prefix = file + ": ";
  const std::string rest = what.compare(0, prefix.size(), prefix) == 0 ? what.substr(prefix.size()) : what;
  throw InputError(file + " (" + label + "): " + rest);
}

// The point's config. Its file stays the sweep's config: relative paths (workload.model,
// campaign.model, ...) resolve against the config's folder whatever the swept values
// hold (a point label with a value holding '/' once served as the file name and broke them).
RunConfig point_config(const RunConfig& rc, const json& base, const std::vector<std::string>& keys,
                       const std::vector<json::json_pointer>& pointers, const std::vector<json>& values, std::size_t index) {
  json j = base;
  j.erase("sweep");
  std::string label = "sweep point " + std::to_string(index) + ":";
  for (std::size_t k = 0; k < keys.size(); ++k) {
    j[pointers[k]] = values[k];
    label += " " + keys[k] + "=" + json_excerpt(values[k]);
  }
  check_graph_keys(rc.file, keys, j);
  try {
    RunConfig point = parse_run_config_json(j, rc.file);
    // What a campaign refuses, refused before any point runs.
    if (point.campaign) refuse_campaign_keys(point);
    if (point.campaign && !point.campaign->memory_sites.empty())
      throw InputError(point.file + ": campaign.sites: a sweep point runs the PE campaign; run the memory sites "
                                    "(cbuf, dram) with accsim campaign (docs/memory_faults.md)");
    return point;
  } catch (const InputError& e) {
    throw_for_point(rc.file, label, e);
  }
}

// What the point runs of its config (sweep_point_config.h).
SweepPointConfig point_inputs(const RunConfig& point) {
  SweepPointConfig p{point.file, point.array, point.faults, point.workload, point.mitigations, std::nullopt};
  if (point.campaign) p.campaign = campaign_inputs(point);
  return p;
}

// The swept keys in order and where each sits in the config.
struct SweptKeys {
  std::vector<std::string> names;
  std::vector<json::json_pointer> pointers;

  void add(const RunConfig& rc, const json& base, const std::string& key, const std::string& where) {
    if (key == "sweep" || key.rfind("sweep.", 0) == 0) throw InputError(rc.file + ": " + where + ": cannot sweep the sweep block");
    json::json_pointer ptr = pointer_of(key, rc.file + ": " + where);
    if (!base.contains(ptr.parent_pointer()))
      throw InputError(rc.file + ": " + where + ": \"" + key + "\" is not in the config (its parent is missing)");
    names.push_back(key);
    pointers.push_back(ptr);
  }
};

// The grid's points: the cartesian product in key order, the last key varying fastest.
std::vector<std::vector<json>> grid_points(ConfigReader& r, const RunConfig& rc, const json& base, SweptKeys& keys) {
  const json& grid = r.get_raw("grid", "an object of key path -> list of values");
  if (!grid.is_object() || grid.empty()) r.fail("grid", "expected a non-empty object of key path -> list of values");
  std::vector<std::vector<json>> lists;
  for (const auto& [key, values] : grid.items()) {
    const std::string where = "sweep.grid." + key;
    if (!values.is_array() || values.empty()) throw InputError(rc.file + ": " + where + ": expected a non-empty list of values");
    keys.add(rc, base, key, where);
    lists.emplace_back(values.begin(), values.end());
  }
  std::size_t total = 1;
  for (const auto& l : lists) {
    total *= l.size();
    if (total > 100000) r.fail("grid", "more than 100000 points");
  }
  std::vector<std::vector<json>> points;
  for (std::size_t i = 0; i < total; ++i) {
    std::vector<json> v(lists.size());
    for (std::size_t k = lists.size(), rest = i; k-- > 0; rest /= lists[k].size()) v[k] = lists[k][rest % lists[k].size()];
    points.push_back(std::move(v));
  }
  return points;
}

// The listed points; every point sets the keys of the first.
std::vector<std::vector<json>> listed_points(ConfigReader& r, const RunConfig& rc, const json& base, SweptKeys& keys) {
  const json& points = r.get_raw("points", "a list of point objects");
  if (!points.is_array() || points.empty()) r.fail("points", "expected a non-empty list of point objects");
  std::vector<std::vector<json>> values;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const std::string where = "sweep.points[" + std::to_string(i) + "]";
    if (!points[i].is_object() || points[i].empty())
      throw InputError(rc.file + ": " + where + ": expected an object of key path -> value");
    if (i == 0)
      for (const auto& [key, value] : points[i].items()) keys.add(rc, base, key, where + "." + key);
    std::vector<json> v;
    for (const auto& key : keys.names) {
      if (!points[i].contains(key)) throw InputError(rc.file + ": " + where + ": missing \"" + key + "\" (every point sets the same keys)");
      v.push_back(points[i].at(key));
    }
    if (points[i].size() != keys.names.size())
      throw InputError(rc.file + ": " + where + ": sets keys the first point does not (every point sets the same keys)");
    values.push_back(std::move(v));
  }
  return values;
}

}  // namespace

bool Sweep::has_campaign() const {
  return std::any_of(points.begin(), points.end(), [](const SweepPoint& p) { return p.config.campaign.has_value(); });
}

Sweep parse_sweep(const RunConfig& rc) {
  if (rc.sweep.is_null()) throw InputError(rc.file + ": sweep: missing (accsim sweep needs a sweep block)");
  const json base = json::parse(rc.json_text);
  ConfigReader r(rc.sweep, rc.file, "sweep");
  Sweep sweep;
  sweep.file = rc.file;
  sweep.json_text = rc.json_text;
  sweep.threads = static_cast<int>(r.get_int("threads", 0, 1024, 0));
  const bool has_grid = r.has("grid"), has_points = r.has("points");
  if (has_grid == has_points) r.fail("grid", "give exactly one of grid (values per key) or points (a list of points)");
  SweptKeys keys;
  const std::vector<std::vector<json>> values = has_grid ? grid_points(r, rc, base, keys) : listed_points(r, rc, base, keys);
  r.finish();
  sweep.keys = keys.names;
  for (std::size_t i = 0; i < values.size(); ++i) {
    SweepPoint p;
    for (const auto& v : values[i]) p.values.push_back(v.dump());
    p.config = point_inputs(point_config(rc, base, sweep.keys, keys.pointers, values[i], i));
    sweep.points.push_back(std::move(p));
  }
  return sweep;
}

}  // namespace accsim
