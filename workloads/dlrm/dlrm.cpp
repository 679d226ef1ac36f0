#include "workloads/dlrm/dlrm.h"

#include <cmath>
#include <stdexcept>

#include "arch/json_excerpt.h"
#include "arch/random.h"
#include "arch/sampling.h"

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

}  // namespace accsim
