#include "workloads/sweep/sweep_layers.h"

#include "arch/input_error.h"

namespace accsim {

namespace {

using Member = long long SweepLayerResult::*;

struct LayerColumn {
  const char* name;
  const char* units;
  Member member;
  long long JobTiming::*timing;  // what a job adds to it; null: counted per job
};

const std::vector<LayerColumn>& layer_columns() {
  using L = SweepLayerResult;
  using T = JobTiming;
  static const std::vector<LayerColumn> columns = {
      {"jobs", "", &L::jobs, nullptr},
      {"cycles", "cycles", &L::cycles, &T::cycles},
      {"macs", "", &L::macs, &T::macs},
      {"stall_cycles", "cycles", &L::stall_cycles, &T::stall_cycles},
      {"weight_load_cycles", "cycles", &L::weight_load_cycles, &T::weight_load_cycles},
      {"data_fetch_stall_cycles", "cycles", &L::data_fetch_stall_cycles, &T::data_fetch_stall_cycles},
      {"dram_stall_cycles", "cycles", &L::dram_stall_cycles, &T::dram_stall_cycles},
      {"postprocess_cycles", "cycles", &L::postprocess_cycles, &T::postprocess_cycles},
      {"dram_read_bytes", "bytes", &L::dram_read_bytes, &T::dram_read_bytes},
      {"dram_write_bytes", "bytes", &L::dram_write_bytes, &T::dram_write_bytes},
  };
  return columns;
}

std::vector<ColumnSpec> numeric_specs() {
  std::vector<ColumnSpec> specs = {{"point", CellType::integer, ""}, {"layer", CellType::integer, ""}};
  for (const LayerColumn& c : layer_columns()) specs.push_back({c.name, CellType::integer, c.units});
  return specs;
}

}  // namespace

std::vector<SweepLayerResult> sweep_layers(const WorkloadTiming& w) {
  std::vector<SweepLayerResult> layers;
  for (const LayerTiming& l : w.layers) {
    if (layers.empty() || layers.back().name != l.node) layers.push_back({l.node});
    for (const LayerColumn& c : layer_columns()) layers.back().*c.member += c.timing ? l.timing.*c.timing : 1;
  }
  return layers;
}

Table layers_table(const std::vector<std::vector<SweepLayerResult>>& layers, const std::vector<std::string>& keys,
                   const std::vector<std::vector<std::string>>& values) {
  std::vector<ColumnSpec> specs = {{"point", CellType::integer, ""}};
  for (const std::string& k : keys) specs.push_back({k, CellType::text, ""});
  specs.push_back({"layer", CellType::integer, ""});
  specs.push_back({"name", CellType::text, ""});
  for (const LayerColumn& c : layer_columns()) specs.push_back({c.name, CellType::integer, c.units});
  Table t(specs);
  for (std::size_t p = 0; p < layers.size(); ++p)
    for (std::size_t i = 0; i < layers[p].size(); ++i) {
      std::vector<Cell> row = {p};
      if (!keys.empty())
        for (const std::string& v : values.at(p)) row.push_back(v);
      row.push_back(i);
      row.push_back(layers[p][i].name);
      for (const LayerColumn& c : layer_columns()) row.push_back(layers[p][i].*c.member);
      t.add_row(row);
    }
  return t;
}

void write_layers(ResultsFile& h5, const std::string& group, const std::vector<std::vector<SweepLayerResult>>& layers) {
  Table t(numeric_specs());
  std::vector<std::string> names;
  for (std::size_t p = 0; p < layers.size(); ++p)
    for (std::size_t i = 0; i < layers[p].size(); ++i) {
      std::vector<Cell> row = {p, i};
      for (const LayerColumn& c : layer_columns()) row.push_back(layers[p][i].*c.member);
      t.add_row(row);
      names.push_back(layers[p][i].name);
    }
  h5.write_table(group, t);
  h5.write_strings(group + "_names", names);
}

void read_layers(const std::string& file, const std::string& group, std::vector<std::vector<SweepLayerResult>>& layers) {
  const ResultsTable t = read_table(file, group);
  const std::vector<std::string> names = read_strings(file, group + "_names");
  std::vector<std::string> expected;
  for (const ColumnSpec& c : numeric_specs()) expected.push_back(c.name);
  if (t.column_names != expected || t.columns[0].size() != names.size())
    throw InputError(file + ": " + group + ": not the layers of this accsim version's sweep checkpoint; "
                            "delete it to start afresh or choose another --out");
  for (std::size_t r = 0; r < names.size(); ++r) {
    const auto p = static_cast<std::size_t>(t.columns[0][r]);
    if (p >= layers.size()) throw InputError(file + ": " + group + ": point " + std::to_string(p) + " is not in this sweep");
    SweepLayerResult l{names[r]};
    for (std::size_t k = 0; k < layer_columns().size(); ++k)
      l.*layer_columns()[k].member = static_cast<long long>(t.columns[k + 2][r]);
    layers[p].push_back(std::move(l));
  }
}

void encode_layers(const std::vector<SweepLayerResult>& layers, ByteWriter& w) {
  w.put(static_cast<std::uint64_t>(layers.size()));
  for (const SweepLayerResult& l : layers) {
    w.put_string(l.name);
    for (const LayerColumn& c : layer_columns()) w.put(l.*c.member);
  }
}

std::vector<SweepLayerResult> decode_layers(ByteReader& r) {
  std::vector<SweepLayerResult> layers;
  for (auto n = r.get<std::uint64_t>(); n > 0; --n) {  // no allocation by a length before its data arrived
    SweepLayerResult l{r.get_string()};
    for (const LayerColumn& c : layer_columns()) l.*c.member = r.get<long long>();
    layers.push_back(std::move(l));
  }
  return layers;
}

}  // namespace accsim
