#include "workloads/dlrm/dlrm.h"

#include <cmath>
#include <stdexcept>

#include "arch/json_excerpt.h"
#include "arch/random.h"
#include "arch/sampling.h"
#include "kernels/activations.h"

namespace accsim {

namespace {

std::string list(const std::vector<int>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::vector<int> parse_widths(ConfigReader& r, const std::string& key, const std::vector<int>& fallback) {
  if (!r.has(key)) return fallback;
  const std::string range = "[1, 65536]";
  const nlohmann::json& v = r.get_raw(key, "a non-empty array of layer widths in " + range);
  if (!v.is_array() || v.empty() || v.size() > 16)
    r.fail(key, "expected an array of 1 to 16 layer widths in " + range + ", got " + json_excerpt(v));
  std::vector<int> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    if (!v[i].is_number_integer()) r.fail(where, "expected an integer in " + range + ", got " + json_excerpt(v[i]));
    if (v[i].is_number_unsigned() ? v[i].get<unsigned long long>() > 65536
                                  : (v[i].get<long long>() < 1 || v[i].get<long long>() > 65536))
      r.fail(where, json_excerpt(v[i]) + " is outside the allowed range " + range);
    out.push_back(v[i].get<int>());
  }
  return out;
}

ConvJob fc_job(const std::string& name, int batch, int in, int out, std::uint64_t index) {
  ConvJob job;
  job.layer = name;
  job.kind = JobKind::forward_fc;
  job.swizzle_seed = index;
  job.shape.n = batch;
  job.shape.c = in;
  job.shape.k = out;
  return job;
}

// One MLP layer on the array: [n, c] -> [n, k], bias and optional ReLU on the host.
Tensor fc_layer(const std::string& name, std::uint64_t index, const Tensor& x, const Tensor& w, const Tensor& b,
                bool relu_after, Engine& engine, long long& cycle) {
  const int n = x.dim(0), c = x.dim(1), k = w.dim(0);
  const ConvJob job = fc_job(name, n, c, k, index);
  JobResult r = engine.run(job, x.reshaped({n, c, 1, 1}), w, cycle);
  cycle += r.timing.cycles;
  add_bias(r.output, b);
  Tensor y = r.output.reshaped({n, k});
  return relu_after ? relu(y) : y;
}

void uniform_fill(Tensor& t, float bound, Rng& rng) {
  for (auto& v : t.values()) v = rng.uniform(-bound, bound);
}

}  // namespace

std::string DlrmConfig::describe() const {
  return "dense " + std::to_string(dense_dim) + " -> " + list(bottom_mlp) + "; sparse " + std::to_string(sparse_dim) +
         " -> " + std::to_string(tables) + (tables == 1 ? " table" : " tables") + " x " +
         std::to_string(embedding_dim) + "; top " + list(top_mlp) + " -> sigmoid";
}

std::uint64_t DlrmConfig::parameter_count() const {
  std::uint64_t n = static_cast<std::uint64_t>(sparse_dim) * static_cast<std::uint64_t>(embedding_dim);
  const auto mlp = [&](const std::vector<int>& widths, std::uint64_t in) {
    for (int out : widths) {
      n += (in + 1) * static_cast<std::uint64_t>(out);
      in = static_cast<std::uint64_t>(out);
    }
  };
  mlp(bottom_mlp, static_cast<std::uint64_t>(dense_dim));
  mlp(top_mlp, static_cast<std::uint64_t>(concat_dim()));
  return n;
}

DlrmConfig parse_dlrm_config(ConfigReader r) {
  DlrmConfig c;
  c.dense_dim = static_cast<int>(r.get_int("dense_dim", 1, 65536, c.dense_dim));
  c.sparse_dim = static_cast<int>(r.get_int("sparse_dim", 1, 1 << 24, c.sparse_dim));
  c.tables = static_cast<int>(r.get_int("tables", 1, c.sparse_dim, c.tables));
  c.embedding_dim = static_cast<int>(r.get_int("embedding_dim", 1, 4096, c.embedding_dim));
  c.bottom_mlp = parse_widths(r, "bottom_mlp", c.bottom_mlp);
  c.top_mlp = parse_widths(r, "top_mlp", c.top_mlp);
  r.finish();
  return c;
}

std::uint64_t DlrmParameters::count() const {
  std::uint64_t n = 0;
  for (const auto* group : {&bottom_weights, &bottom_biases, &top_weights, &top_biases, &tables})
    for (const auto& t : *group) n += t.size();
  return n;
}

DlrmParameters zero_dlrm_parameters(const DlrmConfig& c) {
  DlrmParameters p;
  const auto mlp = [&](const std::vector<int>& widths, int in, std::vector<Tensor>& ws, std::vector<Tensor>& bs) {
    for (int out : widths) {
      ws.emplace_back(std::vector<int>{out, in, 1, 1});
      bs.emplace_back(std::vector<int>{out});
      in = out;
    }
  };
  mlp(c.bottom_mlp, c.dense_dim, p.bottom_weights, p.bottom_biases);
  for (int t = 0; t < c.tables; ++t) p.tables.emplace_back(std::vector<int>{c.table_rows(t), c.embedding_dim});
  mlp(c.top_mlp, c.concat_dim(), p.top_weights, p.top_biases);
  return p;
}

DlrmParameters init_dlrm_parameters(const DlrmConfig& c, std::uint64_t seed) {
  DlrmParameters p = zero_dlrm_parameters(c);
  Rng rng(seed);
  const auto mlp = [&](std::vector<Tensor>& ws, std::vector<Tensor>& bs) {
    for (std::size_t i = 0; i < ws.size(); ++i) {
      const float bound = 1.0f / std::sqrt(static_cast<float>(ws[i].dim(1)));  // 1 / sqrt(fan_in)
      uniform_fill(ws[i], bound, rng);
      uniform_fill(bs[i], bound, rng);
    }
  };
  mlp(p.bottom_weights, p.bottom_biases);
  for (auto& table : p.tables) uniform_fill(table, std::sqrt(1.0f / static_cast<float>(table.dim(0))), rng);
  mlp(p.top_weights, p.top_biases);
  return p;
}

ParameterSet dlrm_parameter_set(const DlrmConfig& c, DlrmParameters& p) {
  ParameterSet set;
  for (std::size_t i = 0; i < c.bottom_mlp.size(); ++i) {
    set.add("mlp.bottom." + std::to_string(i) + ".weight", p.bottom_weights[i]);
    set.add("mlp.bottom." + std::to_string(i) + ".bias", p.bottom_biases[i]);
  }
  for (int t = 0; t < c.tables; ++t) set.add("embedding." + std::to_string(t) + ".weight", p.tables[static_cast<std::size_t>(t)]);
  for (std::size_t i = 0; i < c.top_mlp.size(); ++i) {
    set.add("mlp.top." + std::to_string(i) + ".weight", p.top_weights[i]);
    set.add("mlp.top." + std::to_string(i) + ".bias", p.top_biases[i]);
  }
  return set;
}

DlrmBatch synthetic_dlrm_batch(const DlrmConfig& c, int samples, double sparsity, std::uint64_t seed) {
  if (samples < 1) throw std::invalid_argument("synthetic_dlrm_batch: samples must be >= 1");
  if (!(sparsity > 0.0 && sparsity <= 1.0)) throw std::invalid_argument("synthetic_dlrm_batch: sparsity outside (0, 1]");
  DlrmBatch b;
  b.dense = Tensor({samples, c.dense_dim});
  Rng dense_rng(stream_seed(seed, 0)), sparse_rng(stream_seed(seed, 1));
  for (auto& v : b.dense.values()) v = static_cast<float>(standard_normal(dense_rng));
  const GeometricSkip skip(sparsity);
  const auto dim = static_cast<std::uint64_t>(c.sparse_dim);
  b.sparse.resize(static_cast<std::size_t>(samples));
  for (auto& active : b.sparse) {
    std::uint64_t next = 0;
    for (;;) {
      const std::uint64_t gap = skip(sparse_rng);
      if (gap >= dim - next) break;
      active.push_back(static_cast<int>(next + gap));
      next += gap + 1;
      if (next == dim) break;
    }
  }
  return b;
}

Tensor dlrm_bottom_mlp(const DlrmConfig& c, const DlrmParameters& p, const Tensor& dense, Engine& engine,
                       long long& cycle) {
  if (dense.rank() != 2 || dense.dim(1) != c.dense_dim)
    throw std::invalid_argument("dlrm: dense input " + dense.shape_string() + " does not match dense_dim");
  Tensor x = dense;
  for (std::size_t i = 0; i < c.bottom_mlp.size(); ++i)
    x = fc_layer("mlp.bottom." + std::to_string(i), i, x, p.bottom_weights[i], p.bottom_biases[i], true, engine, cycle);
  return x;
}

void dlrm_pool_tables(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch,
                      const std::vector<int>& tables, Tensor& pooled) {
  const int n = batch.size(), E = c.embedding_dim, width = c.tables * E;
  if (pooled.rank() != 2 || pooled.dim(0) != n || pooled.dim(1) != width)
    throw std::invalid_argument("dlrm_pool_tables: pooled has shape " + pooled.shape_string());
  for (int t : tables) {
    const int first = c.table_first(t), last = c.table_first(t + 1);
    const Tensor& table = p.tables[static_cast<std::size_t>(t)];
    for (int s = 0; s < n; ++s) {
      float* out = pooled.data() + static_cast<std::size_t>(s) * width + static_cast<std::size_t>(t) * E;
      for (int e = 0; e < E; ++e) out[e] = 0.0f;
      for (int f : batch.sparse[static_cast<std::size_t>(s)]) {
        if (f < first || f >= last) continue;
        const float* row = table.data() + static_cast<std::size_t>(f - first) * E;
        for (int e = 0; e < E; ++e) out[e] += row[e];
      }
    }
  }
}

Tensor dlrm_pool_embeddings(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch) {
  Tensor pooled({batch.size(), c.tables * c.embedding_dim});
  std::vector<int> all(static_cast<std::size_t>(c.tables));
  for (int t = 0; t < c.tables; ++t) all[static_cast<std::size_t>(t)] = t;
  dlrm_pool_tables(c, p, batch, all, pooled);
  return pooled;
}

Tensor dlrm_top_mlp(const DlrmConfig& c, const DlrmParameters& p, const Tensor& bottom, const Tensor& pooled,
                    Engine& engine, long long& cycle) {
  const int n = bottom.dim(0), b = bottom.dim(1), e = pooled.dim(1);
  if (pooled.dim(0) != n || b + e != c.concat_dim())
    throw std::invalid_argument("dlrm: bottom " + bottom.shape_string() + " and pooled " + pooled.shape_string() +
                                " do not concatenate to the top MLP's input");
  Tensor x({n, b + e});
  for (int s = 0; s < n; ++s) {
    float* row = x.data() + static_cast<std::size_t>(s) * (b + e);
    for (int i = 0; i < b; ++i) row[i] = bottom[static_cast<std::size_t>(s) * b + i];
    for (int i = 0; i < e; ++i) row[b + i] = pooled[static_cast<std::size_t>(s) * e + i];
  }
  const std::size_t layers = c.top_mlp.size();
  for (std::size_t i = 0; i < layers; ++i)
    x = fc_layer("mlp.top." + std::to_string(i), c.bottom_mlp.size() + i, x, p.top_weights[i], p.top_biases[i],
                 i + 1 < layers, engine, cycle);
  for (auto& v : x.values()) v = 1.0f / (1.0f + std::exp(-v));  // NaN stays NaN, +-Inf -> 1, 0
  return x;
}

DlrmRun run_dlrm(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch, Engine& engine) {
  DlrmRun run;
  long long cycle = 0;
  run.bottom = dlrm_bottom_mlp(c, p, batch.dense, engine, cycle);
  run.pooled = dlrm_pool_embeddings(c, p, batch);
  run.output = dlrm_top_mlp(c, p, run.bottom, run.pooled, engine, cycle);
  run.cycles = cycle;
  return run;
}

}  // namespace accsim
