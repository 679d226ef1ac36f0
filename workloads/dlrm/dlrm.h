#pragma once
// A DLRM-style recommendation model (the PyTEI study's dummy model, docs/parameter_faults.md):
//
//   dense features [n, dense_dim] -> bottom MLP (ReLU after every layer) ----------+
//   sparse features (binary, sparse_dim) -> `tables` embedding tables, sum pooling -+-> concat
//   concat -> top MLP (ReLU after every layer but the last) -> sigmoid -> [n, outputs]
//
// Sparse features map to tables in contiguous slices: table t owns features
// [t * sparse_dim / tables, (t + 1) * sparse_dim / tables), row r of table t is feature
// first(t) + r, and a sample's pooled embedding of table t is the sum (fp32, ascending
// feature order) of the rows of its active features in that slice (zero if none).
// The concatenation is [bottom output, pooled table 0, ..., pooled table T-1].
//
// This file holds the model's configuration, parameters and synthetic inputs; the model
// runs as a graph of the operator table (dlrm_graph.h: Gemm on the array, Gather +
// ReduceSum for the bags, Concat for the interaction) through the graph runner.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "arch/tensor.h"

namespace accsim {

struct DlrmConfig {
  int dense_dim = 128;
  int sparse_dim = 8192;
  int tables = 1;
  int embedding_dim = 64;
  std::vector<int> bottom_mlp = {64};  // output width of each bottom layer
  std::vector<int> top_mlp = {64, 1};  // output width of each top layer; the last is the model's output

  int table_first(int t) const { return static_cast<int>(static_cast<long long>(t) * sparse_dim / tables); }
  int table_rows(int t) const { return table_first(t + 1) - table_first(t); }
  int concat_dim() const { return bottom_mlp.back() + tables * embedding_dim; }
  int outputs() const { return top_mlp.back(); }
  std::uint64_t parameter_count() const;  // without allocating anything
  std::string describe() const;  // "dense 128 -> [64]; sparse 8192 -> 1 table x 64; top [64, 1] -> sigmoid"
};

// The "dlrm" config object (docs/config.md); InputError with the JSON path on bad input.
DlrmConfig parse_dlrm_config(ConfigReader reader);

struct DlrmParameters {
  std::vector<Tensor> bottom_weights, bottom_biases;  // per layer: [k, c, 1, 1], [k]
  std::vector<Tensor> top_weights, top_biases;
  std::vector<Tensor> tables;  // per table: [rows, embedding_dim]
  std::uint64_t count() const;
};

// Every tensor at its shape, all zero (no random draws).
DlrmParameters zero_dlrm_parameters(const DlrmConfig& config);

// Untrained, uniformly initialised (PyTEI's dummy model): MLP weights and biases
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's nn.Linear default), tables
// U(-sqrt(1/rows), sqrt(1/rows)) (the DLRM reference implementation). Seeded.
DlrmParameters init_dlrm_parameters(const DlrmConfig& config, std::uint64_t seed);

struct DlrmBatch {
  Tensor dense;                          // [n, dense_dim]
  std::vector<std::vector<int>> sparse;  // per sample: active features, ascending, in [0, sparse_dim)
  int size() const { return dense.rank() ? dense.dim(0) : 0; }
};

// The PyTEI synthetic inputs: dense features standard normal, each sparse feature
// active independently with probability `sparsity` (drawn with geometric skips). Seeded.
DlrmBatch synthetic_dlrm_batch(const DlrmConfig& config, int samples, double sparsity, std::uint64_t seed);

}  // namespace accsim
