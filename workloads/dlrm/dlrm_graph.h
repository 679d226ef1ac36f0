#pragma once
// The DLRM-style model (dlrm.h) as a graph of the operator table (workloads/models/graph.h),
// bound to one batch of sparse inputs:
//
//   dense [n, dense_dim] -> Gemm mlp.bottom.<i> -> Relu ... ------------------------------+
//   per table t: Concat(embedding.<t>.weight, one zero row) -> Gather(sparse.<t>)          |
//                -> ReduceSum(axis 1) [n, E] (the bag's sum) ------------------------------+-> Concat
//   Concat "interaction" [n, concat_dim] -> Gemm mlp.top.<i> -> Relu (not after the last) -> Sigmoid
//
// The graph's one data input is "dense", its output "output" [n, outputs]. A sample's bag
// of table t is the integer constant sparse.<t> [n, L_t]: its active features' rows in
// ascending order, padded to the batch's longest bag (L_t >= 1) with the index of the zero
// row appended to the table (a constant, not a parameter). ReduceSum adds in fp32 in index
// order from +0 (kernels/reduce_sum.h), so the pooled bits are those of `out = 0; for each
// active row: out += row` followed by `+ 0` per padding slot, which changes no value (the
// sum starts at +0, so it is never -0; NaN and Inf stay). Gemms run on the array with
// their layer index as pinned swizzle seed (bottom 0.., top after them), bias on the host.
//
// Initializers are named as the parameter fault targets expect: mlp.bottom.<i>.weight [k, c]
// and .bias [k], embedding.<t>.weight [rows, E], mlp.top.<i>.weight and .bias; a model's
// parameters in the order its nodes first read them are bottom MLP, tables, top MLP.
#include "arch/tensor.h"
#include "workloads/dlrm/dlrm.h"
#include "workloads/models/graph.h"

namespace accsim {

// Table t's bags of a batch as Gather indices [n, L]: the rows (in the table) of each
// sample's active features in the table's slice, ascending, padded to the batch's longest
// bag (L >= 1) with `rows` (the zero row appended to the table).
IntTensor dlrm_table_bags(const DlrmConfig& config, const DlrmBatch& batch, int t);

// Throws std::invalid_argument when the parameters' or the batch's shapes do not fit the config.
Graph dlrm_graph(const DlrmConfig& config, const DlrmParameters& params, const DlrmBatch& batch);

}  // namespace accsim
