#include "workloads/sweep/sweep.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <variant>

#include "arch/input_error.h"
#include "arch/json_excerpt.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/interval_text.h"
#include "workloads/io/output_format.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/sweep/graph_point_timing.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;
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

}  // namespace

bool Sweep::has_campaign() const {
  return std::any_of(points.begin(), points.end(), [](const SweepPoint& p) { return p.config.campaign.has_value(); });
}

Sweep parse_sweep(const RunConfig& rc) {
  if (rc.sweep.is_null()) throw InputError(rc.file + ": sweep: missing (accsim sweep needs a sweep block)");
  const json base = json::parse(rc.json_text);
  ConfigReader r(rc.sweep, rc.file, "sweep");
  Sweep sweep;
  sweep.threads = static_cast<int>(r.get_int("threads", 0, 1024, 0));
  const bool has_grid = r.has("grid"), has_points = r.has("points");
  if (has_grid == has_points) r.fail("grid", "give exactly one of grid (values per key) or points (a list of points)");
  std::vector<json::json_pointer> pointers;
  auto add_key = [&](const std::string& key, const std::string& where) {
    if (key == "sweep" || key.rfind("sweep.", 0) == 0) throw InputError(rc.file + ": " + where + ": cannot sweep the sweep block");
    json::json_pointer ptr = pointer_of(key, rc.file + ": " + where);
    if (!base.contains(ptr.parent_pointer()))
      throw InputError(rc.file + ": " + where + ": \"" + key + "\" is not in the config (its parent is missing)");
    sweep.keys.push_back(key);
    pointers.push_back(ptr);
  };
  std::vector<std::vector<json>> point_values;
  if (has_grid) {
    const json& grid = r.get_raw("grid", "an object of key path -> list of values");
    if (!grid.is_object() || grid.empty()) r.fail("grid", "expected a non-empty object of key path -> list of values");
    std::vector<std::vector<json>> lists;
    for (const auto& [key, values] : grid.items()) {
      const std::string where = "sweep.grid." + key;
      if (!values.is_array() || values.empty()) throw InputError(rc.file + ": " + where + ": expected a non-empty list of values");
      add_key(key, where);
      lists.emplace_back(values.begin(), values.end());
    }
    std::size_t total = 1;
    for (const auto& l : lists) {
      total *= l.size();
      if (total > 100000) r.fail("grid", "more than 100000 points");
    }
    for (std::size_t i = 0; i < total; ++i) {
      std::vector<json> v(lists.size());
      for (std::size_t k = lists.size(), rest = i; k-- > 0; rest /= lists[k].size()) v[k] = lists[k][rest % lists[k].size()];
      point_values.push_back(std::move(v));
    }
  } else {
    const json& points = r.get_raw("points", "a list of point objects");
    if (!points.is_array() || points.empty()) r.fail("points", "expected a non-empty list of point objects");
    for (std::size_t i = 0; i < points.size(); ++i) {
      const std::string where = "sweep.points[" + std::to_string(i) + "]";
      if (!points[i].is_object() || points[i].empty())
        throw InputError(rc.file + ": " + where + ": expected an object of key path -> value");
      if (i == 0)
        for (const auto& [key, value] : points[i].items()) add_key(key, where + "." + key);
      std::vector<json> v;
      for (const auto& key : sweep.keys) {
        if (!points[i].contains(key)) throw InputError(rc.file + ": " + where + ": missing \"" + key + "\" (every point sets the same keys)");
        v.push_back(points[i].at(key));
      }
      if (points[i].size() != sweep.keys.size())
        throw InputError(rc.file + ": " + where + ": sets keys the first point does not (every point sets the same keys)");
      point_values.push_back(std::move(v));
    }
  }
  r.finish();
  for (std::size_t i = 0; i < point_values.size(); ++i) {
    SweepPoint p;
    for (const auto& v : point_values[i]) p.values.push_back(v.dump());
    p.config = point_config(rc, base, sweep.keys, pointers, point_values[i], i);
    sweep.points.push_back(std::move(p));
  }
  return sweep;
}

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

// The finished points, `point` (index) first; the campaign's columns only when it ran.
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

// Row r of a points table read back (columns by name).
SweepPointResult point_of(const ResultsTable& t, std::size_t r) {
  SweepPointResult p;
  p.done = true;
  for (std::size_t k = 0; k < t.column_names.size(); ++k)
    for (const PointColumn& c : point_columns())
      if (c.spec.name == t.column_names[k]) set_from(p, c, t.columns[k][r]);
  return p;
}

// The files the points read: parameter files, ONNX models, topologies and, for workloads
// fed with images, the Fashion-MNIST test split.
std::set<std::string> input_files(const Sweep& sweep) {
  std::set<std::string> files;
  for (const SweepPoint& p : sweep.points) {
    const WorkloadConfig& w = p.config.workload;
    for (const std::string& f : {w.parameters, w.model, w.topology, p.config.campaign ? p.config.campaign->model : ""})
      if (!f.empty()) files.insert(f);
    if (w.topology.empty()) {
      const std::vector<std::string> dataset = fashion_mnist_files(w.dataset_dir);
      files.insert(dataset.begin(), dataset.begin() + 2);  // the test split's images and labels
    }
  }
  return files;
}

// Everything that decides the points' results, the input files' bytes included, and
// nothing else (not thread counts): a checkpoint resumes only a sweep with the same key.
std::string sweep_key(const RunConfig& rc, const Sweep& sweep, const SweepOptions& o) {
  KeyHasher h;
  h.str("accsim sweep key 2");  // 2: the input files are part of it
  h.str(resume_key_text(rc.json_text, result_independent_keys()));
  h.u64(o.seed);
  h.str(o.engine);
  for (const std::string& f : input_files(sweep)) {
    h.str(f);
    h.file(f);
  }
  return h.hex();
}

std::string with_extension(const std::string& file, const std::string& ext) {
  return fs::path(file).replace_extension(ext).string();
}

void write_checkpoint(const std::string& file, const std::string& key, const std::vector<SweepPointResult>& points,
                      bool campaign) {
  ResultsFile h5(file);
  h5.set_attribute("/", "sweep_key", key);
  h5.write_table("/points", points_table(points, campaign));
  h5.commit();
}

// A swept value as tables show it: JSON strings without their quotes, other values as JSON.
std::string value_text(const std::string& json_text) {
  const json v = json::parse(json_text);
  return v.is_string() ? v.get<std::string>() : json_text;
}

// The CSV: the points table with the swept values after `point` and analytical_ratio
// after the timing columns.
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

// The point's hardware-fault campaign, on this worker's thread (points already run in
// parallel); its SDC and crash rates with their 95% Wilson intervals. False when `stop`
// ended it early (the point is not done).
bool add_campaign(SweepPointResult& p, const RunConfig& rc, std::uint64_t seed, const std::atomic<bool>* stop) {
  std::ostringstream notes;  // per-point notes (synthetic images) would repeat for every point
  CampaignSource source = load_campaign(rc, seed, notes);
  source.campaign.config.threads = 1;
  CampaignRunOptions options;
  options.stop = stop;
  const CampaignResults results = run_campaign(source.campaign, options);
  if (!results.complete()) return false;
  const CampaignSummary s = summarize_campaign(results, source.campaign.config);
  p.experiments = s.overall.experiments;
  p.sdc_rate = s.overall.sdc_rate(), p.sdc_lo = s.overall.sdc_ci.lo, p.sdc_hi = s.overall.sdc_ci.hi;
  p.crash_rate = s.overall.crash_rate(), p.crash_lo = s.overall.crash_ci.lo, p.crash_hi = s.overall.crash_ci.hi;
  return true;
}

// The terminal table, in point order.
void print_points(std::ostream& out, const Sweep& sweep, const std::vector<SweepPointResult>& points) {
  const bool campaign = sweep.has_campaign();
  char line[512];
  std::string header = "point";
  for (const auto& k : sweep.keys) header += "  " + k;
  out << header << "  |  cycles  analytical(ratio)  MACs  util%  stalls  corrupted"
      << (campaign ? "  SDC% [95%]  crash% [95%]" : "") << "\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPointResult& p = points[i];
    std::string values;
    for (const auto& v : sweep.points[i].values) values += "  " + value_text(v);
    std::snprintf(line, sizeof line, "%5zu%s  |  %lld  %lld(%.4f)  %lld  %.1f  %lld  %lld", i, values.c_str(), p.cycles,
                  p.analytical_cycles, static_cast<double>(p.analytical_cycles) / static_cast<double>(p.cycles), p.macs,
                  100.0 * p.utilisation, p.stall_cycles, p.corrupted_outputs);
    out << line;
    if (campaign)
      out << "  " << percent_interval_text(p.sdc_rate, {p.sdc_lo, p.sdc_hi}, 1) << "  "
          << percent_interval_text(p.crash_rate, {p.crash_lo, p.crash_hi}, 1);
    out << "\n";
  }
}

// HDF5, CSV and plot of a complete sweep.
void write_outputs(const RunConfig& rc, const Sweep& sweep, const SweepOptions& o,
                   const std::vector<SweepPointResult>& points, std::ostream& out, std::ostream& progress) {
  ResultsFile h5(o.out_file);
  write_output_format(h5, kSweepOutput);
  write_run_attributes(h5, rc, o.seed, o.engine);
  h5.write_strings("/keys", sweep.keys);
  for (std::size_t k = 0; k < sweep.keys.size(); ++k) {
    std::vector<std::string> v;
    for (const auto& p : sweep.points) v.push_back(p.values[k]);
    h5.write_strings("/values/" + std::to_string(k), v);
  }
  h5.write_table("/points", points_table(points, sweep.has_campaign()));
  h5.commit();
  const std::string csv = with_extension(o.out_file, ".csv");
  write_csv(csv, csv_table(sweep, points));
  out << "results: " << o.out_file << ", " << csv;
  const std::string png = with_extension(o.out_file, ".png");
  if (o.plot && draw_plot("plot_sweep.py", {csv, png}, progress)) out << ", " << png;
  out << "\n";
}

}  // namespace

SweepResult run_sweep(const RunConfig& rc, const Sweep& sweep, const SweepOptions& o, std::ostream& out,
                      std::ostream& progress) {
  check_output_path(o.out_file);
  SweepResult result;
  result.points.assign(sweep.points.size(), SweepPointResult{});
  const std::string key = sweep_key(rc, sweep, o), ckpt = checkpoint_path(o.out_file);
  if (fs::exists(ckpt)) {
    if (read_string_attribute(ckpt, "/", "sweep_key") != key)
      throw InputError(ckpt + ": checkpoint of a different sweep (config, seed, engine or an input file: a model, "
                              "topology or dataset file, differ); delete it to start afresh or choose another --out");
    const ResultsTable t = read_table(ckpt, "/points");
    std::vector<std::string> expected;
    const Table empty = points_table({}, sweep.has_campaign());
    for (const ColumnSpec& c : empty.columns()) expected.push_back(c.name);
    if (t.column_names != expected)
      throw InputError(ckpt + ": checkpoint with other columns (written by another accsim version); "
                              "delete it to start afresh or choose another --out");
    for (std::size_t r = 0; r < t.columns[0].size(); ++r) {
      const std::size_t i = static_cast<std::size_t>(t.columns[0][r]);
      if (i >= result.points.size()) throw InputError(ckpt + ": point " + std::to_string(i) + " is not in this sweep");
      result.points[i] = point_of(t, r);
      ++result.resumed_points;
    }
    out << "resuming from " << ckpt << ": " << result.resumed_points << " of " << sweep.points.size()
        << " points done\n";
  }
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < result.points.size(); ++i)
    if (!result.points[i].done) todo.push_back(i);
  if (o.stop_after_points > 0 && todo.size() > static_cast<std::size_t>(o.stop_after_points))
    todo.resize(static_cast<std::size_t>(o.stop_after_points));

  const int threads = std::max(1, std::min<int>(static_cast<int>(todo.size()), resolve_threads(sweep.threads)));
  std::atomic<std::size_t> next{0};
  std::mutex mutex;  // guards result.points, the checkpoint and the progress bar
  std::exception_ptr failure;
  bool bad_input = false;  // the failure is a point's InputError
  long long finished = 0;
  auto last_save = std::chrono::steady_clock::now();
  ProgressMeter bar(progress, o.progress, "accsim: sweep");
  bar.start(result.resumed_points, static_cast<long long>(result.points.size()));
  auto worker = [&] {
    for (std::size_t t; (t = next++) < todo.size();) {
      if (o.stop && o.stop->load()) return;
      const std::size_t i = todo[t];
      SweepPointResult p;
      try {
        const RunConfig& point = sweep.points[i].config;
        // A topology's layers on seeded operands; any model (ONNX or network) as a graph.
        const WorkloadTiming w = point.workload.topology.empty() ? time_graph_workload(point, o.engine, o.seed)
                                                                 : time_workload(point, o.engine, o.seed);
        p = {true, w.cycles, w.analytical_cycles, w.macs, w.stall_cycles, w.weight_load_cycles,
             w.corrupted_outputs, w.nonfinite_outputs, w.utilisation, point.array.pes(),
             w.data_fetch_stall_cycles, w.dram_stall_cycles, w.postprocess_cycles, w.dram_read_bytes,
             w.dram_write_bytes};
        p.energy_pj = estimate_energy(w.energy_counts, point.array.datatype,
                                      energy_table_of_config_text(point.json_text, point.file))
                          .total_pj();
        if (point.campaign && !add_campaign(p, point, o.seed, o.stop)) return;
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) {
          failure = std::current_exception();
          try {
            throw;
          } catch (const InputError&) {
            bad_input = true;
          } catch (...) {
          }
        }
        next = todo.size();
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      result.points[i] = p;
      bar.update(result.resumed_points + ++finished);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_save > std::chrono::seconds(2)) {  // what a kill may lose: two seconds of points
        try {
          write_checkpoint(ckpt, key, result.points, sweep.has_campaign());
        } catch (...) {  // a full disk: stop and report it, as a failed point
          if (!failure) failure = std::current_exception();
          next = todo.size();
          return;
        }
        last_save = now;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  bar.finish();
  if (failure) {
    // A point's bad input is fixed by changing an input, which changes the key: its
    // checkpoint could never be resumed. Anything else (a full disk) keeps the progress.
    if (bad_input)
      discard_checkpoint(o.out_file);
    else
      write_checkpoint(ckpt, key, result.points, sweep.has_campaign());
    std::rethrow_exception(failure);
  }
  result.complete = std::all_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.done; });
  write_checkpoint(ckpt, key, result.points, sweep.has_campaign());
  if (!result.complete) return result;

  print_points(out, sweep, result.points);
  write_outputs(rc, sweep, o, result.points, out, progress);
  discard_checkpoint(o.out_file);
  return result;
}

}  // namespace accsim
