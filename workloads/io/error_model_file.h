#pragma once
// The error-model file (`accsim errmodel`): for every array job and pass of a model, the
// software error pattern of the configured hardware faults, in the layer's tensors,
// for tools that know nothing of the array (tools/python/accsim_errmodel applies it
// to a torch.nn.Module). Layout and version: docs/error_model.md.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "faultmodels/pass_error_model.h"
#include "workloads/models/inference.h"
#include "workloads/io/results_file.h"

namespace accsim {

inline constexpr const char* kErrorModelFormat = "accsim-error-model";
inline constexpr std::int64_t kErrorModelVersion = 2;

// The parts of the file: the fault tables and stuck masks (with the format attributes),
// and one array job's error model for each pass (appended to `models`) with its sample:
// the job's fault-free input and output, its weights and its output on `faulty`. The
// forward pass is placed on the run's timeline at the job's start cycle (transients hit
// the job their cycle falls in); backward passes have no timeline here, so their
// transients are listed as unplaced.
void write_fault_tables(ResultsFile& h5, const ArrayConfig& array, const std::vector<HardwareFault>& faults);
void write_job_error_model(ResultsFile& h5, const std::string& base, const LayerRun& job, const Tensor& weights,
                           const ArrayConfig& array, const std::vector<HardwareFault>& faults, Engine& faulty,
                           std::vector<PassErrorModel>& models);

// Throws InputError naming the file unless it is an error-model file of this version.
void check_error_model_file(const std::string& file);

}  // namespace accsim
