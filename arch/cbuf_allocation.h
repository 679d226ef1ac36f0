#pragma once
// How a job's feature data and weights share the convolution buffer's banks, following
// NVDLA's compiler (nvdla/sw, umd/core/src/compiler/engine-ast/ConvCoreNode.cpp,
// splitNodesInternal, calculateEPS, calculateTotalBanksForData/Weight,
// calculateMinBanksForWeight, determineSplitDataRatios), direct convolution, no weight
// compression. In order of preference:
//   1. full input + full weights            banks_for_weights + banks_for_data <= banks
//   2. full input + ping-pong weights        2 * min_banks_for_weights + banks_for_data <= banks
//   3. full input + one kernel group         min_banks_for_weights + banks_for_data <= banks
//   4. otherwise the weights get at most half the banks (the compiler's default profile
//      splits them evenly): all weights, else ping-pong, else one kernel group, else
//      (accsim's extension, where the compiler gives up) weights streamed per tile; the
//      data gets the other banks and, if it does not fit them, is split by rows
//      ("partial-H"): each chunk holds floor(data entries / entries per row) input rows
//      and starts at the first input row of the first output row the previous chunk
//      could not complete; the overlap rows are retained in CBUF, not fetched again.
// Weights not resident for the whole job are fetched again for every data chunk
// (streamed weights: for every pixel tile). See docs/cycle_model.md, "Memory side".
#include "arch/array_config.h"
#include "arch/conv_job.h"

namespace accsim {

enum class WeightResidency { full, ping_pong, single_kernel_group, streamed };
const char* to_string(WeightResidency w);

struct CbufAllocation {
  WeightResidency weights = WeightResidency::full;
  int weight_banks = 0, data_banks = 0;
  long long entries_per_row = 0;       // CBUF entries one input row (all channels, whole width) takes
  long long banks_for_data = 0;        // the whole input, all images
  long long banks_for_weights = 0;     // all kernels
  long long min_banks_for_weights = 0; // one kernel group (atomic_k kernels)
  long long data_chunks = 1;           // chunks the input is fetched in (1: not split)
  long long weight_passes = 1;         // times the weights are fetched from DRAM
};

// Throws InputError when even one output row's input rows do not fit the data banks
// (NVDLA's compiler: "Kernel height greater than single split possible").
CbufAllocation allocate_cbuf(const ConvShape& shape, const ArrayConfig& array);

// Partial-H chunks of one image when a chunk holds `rows` input rows (the loop above);
// throws InputError if a chunk cannot complete an output row.
long long partial_h_chunks(const ConvShape& shape, long long rows);

}  // namespace accsim
