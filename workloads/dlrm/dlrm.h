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
// Every MLP layer runs on the simulated array as one forward_fc job of the whole batch
// through an Engine (bias and activations on the host, as NVDLA's SDP); embeddings are
// host lookups. Parameters are named for parameter fault targets: mlp.bottom.<i>.weight,
// mlp.bottom.<i>.bias, mlp.top.<i>.weight, mlp.top.<i>.bias, embedding.<t>.weight.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "arch/engine.h"
#include "arch/tensor.h"
#include "faultmodels/parameter_set.h"

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

// Named views of every parameter tensor; `params` must outlive the set.
ParameterSet dlrm_parameter_set(const DlrmConfig& config, DlrmParameters& params);

struct DlrmBatch {
  Tensor dense;                          // [n, dense_dim]
  std::vector<std::vector<int>> sparse;  // per sample: active features, ascending, in [0, sparse_dim)
  int size() const { return dense.rank() ? dense.dim(0) : 0; }
};

// The PyTEI synthetic inputs: dense features standard normal, each sparse feature
// active independently with probability `sparsity` (drawn with geometric skips). Seeded.
DlrmBatch synthetic_dlrm_batch(const DlrmConfig& config, int samples, double sparsity, std::uint64_t seed);

// The three stages, so that a fault study recomputes only what a corruption touches.
// `cycle` is the run cycle at which the first job starts; it advances by each job's cycles.
Tensor dlrm_bottom_mlp(const DlrmConfig& config, const DlrmParameters& params, const Tensor& dense, Engine& engine,
                       long long& cycle);                                     // [n, bottom_mlp.back()]
Tensor dlrm_pool_embeddings(const DlrmConfig& config, const DlrmParameters& params, const DlrmBatch& batch);  // [n, T*E]
// Only the tables in `tables` (indices) into `pooled` (same shape as above), the others left as they are.
void dlrm_pool_tables(const DlrmConfig& config, const DlrmParameters& params, const DlrmBatch& batch,
                      const std::vector<int>& tables, Tensor& pooled);
Tensor dlrm_top_mlp(const DlrmConfig& config, const DlrmParameters& params, const Tensor& bottom, const Tensor& pooled,
                    Engine& engine, long long& cycle);  // [n, outputs], after the sigmoid

struct DlrmRun {
  Tensor bottom;  // bottom MLP output
  Tensor pooled;  // pooled embeddings
  Tensor output;  // [n, outputs] in (0, 1)
  long long cycles = 0;  // array cycles of the MLP jobs
};
DlrmRun run_dlrm(const DlrmConfig& config, const DlrmParameters& params, const DlrmBatch& batch, Engine& engine);

}  // namespace accsim
