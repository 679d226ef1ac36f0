#include "workloads/sweep.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "arch/input_error.h"
#include "workloads/available_cpus.h"
#include "workloads/campaign.h"
#include "workloads/campaign_report.h"
#include "workloads/campaign_setup.h"
#include "workloads/results_file.h"
#include "workloads/plot_script.h"
#include "workloads/run_attributes.h"
#include "workloads/run_checkpoint.h"
#include "workloads/text_file.h"

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

RunConfig point_config(const RunConfig& rc, const json& base, const std::vector<std::string>& keys,
                       const std::vector<json::json_pointer>& pointers, const std::vector<json>& values, std::size_t index) {
  json j = base;
  j.erase("sweep");
  std::string label = "sweep point " + std::to_string(index) + ":";
  for (std::size_t k = 0; k < keys.size(); ++k) {
    j[pointers[k]] = values[k];
    label += " " + keys[k] + "=" + values[k].dump();
  }
  return parse_run_config_json(j, rc.file + " (" + label + ")");
}

}  // namespace

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

const std::vector<std::string> kColumns = {"cycles",       "analytical_cycles", "macs",
                                           "utilisation",  "stall_cycles",      "weight_load_cycles",
                                           "corrupted_outputs", "nonfinite_outputs", "pes",
                                           "experiments",  "sdc_rate",          "sdc_low",
                                           "sdc_high",     "crash_rate",        "crash_low",
                                           "crash_high"};

std::vector<double> row_of(const SweepPointResult& p) {
  return {static_cast<double>(p.cycles),       static_cast<double>(p.analytical_cycles),
          static_cast<double>(p.macs),         p.utilisation,
          static_cast<double>(p.stall_cycles), static_cast<double>(p.weight_load_cycles),
          static_cast<double>(p.corrupted_outputs), static_cast<double>(p.nonfinite_outputs),
          static_cast<double>(p.pes), static_cast<double>(p.experiments), p.sdc_rate, p.sdc_low, p.sdc_high,
          p.crash_rate, p.crash_low, p.crash_high};
}

SweepPointResult from_row(const std::vector<double>& r) {
  SweepPointResult p;
  p.done = true;
  p.cycles = static_cast<long long>(r[0]);
  p.analytical_cycles = static_cast<long long>(r[1]);
  p.macs = static_cast<long long>(r[2]);
  p.utilisation = r[3];
  p.stall_cycles = static_cast<long long>(r[4]);
  p.weight_load_cycles = static_cast<long long>(r[5]);
  p.corrupted_outputs = static_cast<long long>(r[6]);
  p.nonfinite_outputs = static_cast<long long>(r[7]);
  p.pes = static_cast<int>(r[8]);
  p.experiments = static_cast<long long>(r[9]);
  p.sdc_rate = r[10], p.sdc_low = r[11], p.sdc_high = r[12];
  p.crash_rate = r[13], p.crash_low = r[14], p.crash_high = r[15];
  return p;
}

// Writes the finished points (index + columns) as a table.
void write_points(ResultsFile& h5, const std::string& group, const std::vector<SweepPointResult>& points) {
  std::vector<std::string> names = {"point"};
  names.insert(names.end(), kColumns.begin(), kColumns.end());
  std::vector<std::vector<double>> cols(names.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!points[i].done) continue;
    cols[0].push_back(static_cast<double>(i));
    const auto r = row_of(points[i]);
    for (std::size_t c = 0; c < r.size(); ++c) cols[c + 1].push_back(r[c]);
  }
  h5.write_table(group, names, cols);
}

std::string sweep_key(const RunConfig& rc, const SweepOptions& o) {
  return resume_key_text(rc.json_text, {"sweep.threads", "campaign.threads"}) + "\nseed=" + std::to_string(o.seed) +
         " engine=" + o.engine;
}

std::string with_extension(const std::string& file, const std::string& ext) {
  return fs::path(file).replace_extension(ext).string();
}

void write_checkpoint(const std::string& file, const std::string& key, const std::vector<SweepPointResult>& points) {
  ResultsFile h5(file);
  h5.set_attribute("/", "sweep_key", key);
  write_points(h5, "/points", points);
  h5.commit();
}

std::string csv_text(const Sweep& sweep, const std::vector<SweepPointResult>& points) {
  std::string csv = "point";
  for (const auto& k : sweep.keys) csv += "," + k;
  const bool campaign = std::any_of(points.begin(), points.end(), [](const auto& p) { return p.experiments > 0; });
  const std::size_t timing_columns = 9;  // kColumns up to "pes"; the campaign's columns follow the ratio
  for (std::size_t c = 0; c < timing_columns; ++c) csv += "," + kColumns[c];
  csv += ",analytical_ratio";
  for (std::size_t c = timing_columns; campaign && c < kColumns.size(); ++c) csv += "," + kColumns[c];
  csv += "\n";
  char buf[512];
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPointResult& p = points[i];
    csv += std::to_string(i);
    for (std::string v : sweep.points[i].values) {
      v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
      csv += "," + v;
    }
    std::snprintf(buf, sizeof buf, ",%lld,%lld,%lld,%.6f,%lld,%lld,%lld,%lld,%d,%.6f\n", p.cycles, p.analytical_cycles,
                  p.macs, p.utilisation, p.stall_cycles, p.weight_load_cycles, p.corrupted_outputs,
                  p.nonfinite_outputs, p.pes, static_cast<double>(p.analytical_cycles) / static_cast<double>(p.cycles));
    csv += buf;
    if (campaign) {
      csv.pop_back();
      std::snprintf(buf, sizeof buf, ",%lld,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f\n", p.experiments, p.sdc_rate, p.sdc_low,
                    p.sdc_high, p.crash_rate, p.crash_low, p.crash_high);
      csv += buf;
    }
  }
  return csv;
}

// The point's hardware-fault campaign, on this worker's thread (points already run in
// parallel); its SDC and crash rates with their 95% Wilson intervals.
void add_campaign(SweepPointResult& p, const RunConfig& rc, std::uint64_t seed) {
  std::ostringstream notes;  // per-point notes (synthetic images) would repeat for every point
  CampaignSource source = load_campaign(rc, seed, notes);
  source.campaign.config.threads = 1;
  const CampaignSummary s = summarize_campaign(run_campaign(source.campaign), source.campaign.config);
  p.experiments = s.overall.experiments;
  p.sdc_rate = s.overall.sdc_rate(), p.sdc_low = s.overall.sdc_ci.lo, p.sdc_high = s.overall.sdc_ci.hi;
  p.crash_rate = s.overall.crash_rate(), p.crash_low = s.overall.crash_ci.lo, p.crash_high = s.overall.crash_ci.hi;
}

}  // namespace

SweepResult run_sweep(const RunConfig& rc, const Sweep& sweep, const SweepOptions& o, std::ostream& out,
                      std::ostream& progress) {
  check_output_path(o.out_file);
  SweepResult result;
  result.points.assign(sweep.points.size(), SweepPointResult{});
  const std::string key = sweep_key(rc, o), ckpt = checkpoint_path(o.out_file);
  if (fs::exists(ckpt)) {
    if (read_string_attribute(ckpt, "/", "sweep_key") != key)
      throw InputError(ckpt + ": checkpoint of a different sweep (config, seed or engine differ); "
                              "delete it to start afresh or choose another --out");
    const ResultsTable t = read_table(ckpt, "/points");
    for (std::size_t r = 0; r < t.columns[0].size(); ++r) {
      const std::size_t i = static_cast<std::size_t>(t.columns[0][r]);
      if (i >= result.points.size()) throw InputError(ckpt + ": point " + std::to_string(i) + " is not in this sweep");
      std::vector<double> row;
      for (std::size_t c = 1; c < t.columns.size(); ++c) row.push_back(t.columns[c][r]);
      result.points[i] = from_row(row);
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
  long long finished = 0;
  auto last_save = std::chrono::steady_clock::now();
  ProgressMeter bar(progress, o.progress, "accsim: sweep");
  bar.start(result.resumed_points, static_cast<long long>(result.points.size()));
  auto worker = [&] {
    for (std::size_t t; (t = next++) < todo.size();) {
      const std::size_t i = todo[t];
      SweepPointResult p;
      try {
        const WorkloadTiming w = time_workload(sweep.points[i].config, o.engine, o.seed);
        p = {true, w.cycles, w.analytical_cycles, w.macs, w.stall_cycles, w.weight_load_cycles,
             w.corrupted_outputs, w.nonfinite_outputs, w.utilisation, sweep.points[i].config.array.pes()};
        if (sweep.points[i].config.campaign) add_campaign(p, sweep.points[i].config, o.seed);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!failure) failure = std::current_exception();
        next = todo.size();
        return;
      }
      std::lock_guard<std::mutex> lock(mutex);
      result.points[i] = p;
      bar.update(result.resumed_points + ++finished);
      const auto now = std::chrono::steady_clock::now();
      if (now - last_save > std::chrono::seconds(2)) {  // what a kill may lose: two seconds of points
        write_checkpoint(ckpt, key, result.points);
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
    write_checkpoint(ckpt, key, result.points);
    std::rethrow_exception(failure);
  }
  result.complete = std::all_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.done; });
  write_checkpoint(ckpt, key, result.points);
  if (!result.complete) return result;

  // The table, in point order.
  char line[512];
  std::string header = "point";
  for (const auto& k : sweep.keys) header += "  " + k;
  const bool campaign = std::any_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.experiments > 0; });
  out << header << "  |  cycles  analytical(ratio)  MACs  util%  stalls  corrupted" << (campaign ? "  SDC% [95%]  crash% [95%]" : "") << "\n";
  for (std::size_t i = 0; i < result.points.size(); ++i) {
    const SweepPointResult& p = result.points[i];
    std::string values;
    for (std::string v : sweep.points[i].values) {
      v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
      values += "  " + v;
    }
    std::snprintf(line, sizeof line, "%5zu%s  |  %lld  %lld(%.4f)  %lld  %.1f  %lld  %lld", i, values.c_str(), p.cycles,
                  p.analytical_cycles, static_cast<double>(p.analytical_cycles) / static_cast<double>(p.cycles), p.macs,
                  100.0 * p.utilisation, p.stall_cycles, p.corrupted_outputs);
    out << line;
    if (campaign) {
      std::snprintf(line, sizeof line, "  %.1f [%.1f, %.1f]  %.1f [%.1f, %.1f]", 100 * p.sdc_rate, 100 * p.sdc_low,
                    100 * p.sdc_high, 100 * p.crash_rate, 100 * p.crash_low, 100 * p.crash_high);
      out << line;
    }
    out << "\n";
  }
  ResultsFile h5(o.out_file);
  write_run_attributes(h5, rc, o.seed, o.engine);
  h5.write_strings("/keys", sweep.keys);
  for (std::size_t k = 0; k < sweep.keys.size(); ++k) {
    std::vector<std::string> v;
    for (const auto& p : sweep.points) v.push_back(p.values[k]);
    h5.write_strings("/values/" + std::to_string(k), v);
  }
  write_points(h5, "/points", result.points);
  h5.commit();
  const std::string csv = with_extension(o.out_file, ".csv");
  write_text_atomically(csv, csv_text(sweep, result.points));
  out << "results: " << o.out_file << ", " << csv;
  if (o.plot) {
    const std::string png = with_extension(o.out_file, ".png");
    if (run_plot_script("plot_sweep.py", {csv, png}))
      out << ", " << png;
    else
      progress << "accsim: note: no plot (needs /usr/bin/python3 with python3-matplotlib)\n";
  }
  out << "\n";
  discard_checkpoint(o.out_file);
  return result;
}

}  // namespace accsim
