#pragma once
// A DLRM exported to ONNX as the model of `accsim dlrm` ("workload": {"model": ...},
// docs/parameter_faults.md; tools/python/models/export_dlrm.py writes one): its fp32 input
// takes the dense features, and per table t an int64 input [n, L] takes the bags as
// dlrm_table_bags gives them (the table's rows of the active features, padded with the
// index `rows` of a zero row the model appends to the table). The graph is loaded per
// batch at that batch's bag lengths, and the bags are bound as its integer inputs.
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "workloads/dlrm/dlrm.h"
#include "workloads/models/graph.h"

namespace accsim {

struct DlrmOnnxModel {
  std::string file;                        // empty: the built-in model (dlrm_graph.h)
  std::string dense_input;                 // the fp32 input's name
  std::vector<std::string> sparse_inputs;  // table t's int64 input
};

// The "workload" object: "model" (path relative to the config's folder), optional
// "dense_input" and "sparse_inputs" (one name per table). Without them the names are
// inferred by type: the model's one float32 input, and its int64 inputs when it has
// exactly one and the config one table (more are ambiguous: an InputError asks for the
// names). InputError naming the file and the key for every mismatch with the model.
DlrmOnnxModel parse_dlrm_workload(ConfigReader reader, const std::string& config_file, const DlrmConfig& config);

// The model loaded at the batch's shapes with the batch's bags bound. InputError (naming
// the model file) when the dense input is not [n, dense_dim], when the table behind a
// sparse input does not have the config's rows + the zero row, or when an index falls
// outside its table.
Graph dlrm_onnx_graph(const DlrmOnnxModel& model, const DlrmConfig& config, const DlrmBatch& batch);

}  // namespace accsim
