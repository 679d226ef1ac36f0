#pragma once
// `accsim errmodel`: map the config's hardware faults to software error models for
// every layer and pass of the workload, print one summary line each and write the
// error-model file (docs/error_model.md).
#include <ostream>
#include <string>
#include <vector>

#include "faultmodels/pass_error_model.h"
#include "tools/cli/run_command.h"
#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"

namespace accsim {

int errmodel_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// Shared with the graph errmodel: the file's root attributes, and the summary lines and
// file name printed after the faults.
void write_errmodel_attributes(ResultsFile& h5, const RunConfig& rc, std::uint64_t seed, const std::string& engine,
                               const std::string& input_source);
void print_error_model_tail(std::ostream& out, const std::vector<PassErrorModel>& models, const std::string& file);

}  // namespace accsim
