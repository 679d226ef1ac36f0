#pragma once
// The columns that describe hardware faults in every HDF5 file that lists them (error
// models' /faults, campaigns' /experiments): site, kind, row, col, bit, cycle.
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "workloads/io/results_file.h"

namespace accsim {

// Writes <group>/site, kind, row, col, bit and cycle (units "cycles"), one row per fault.
void write_fault_columns(ResultsFile& h5, const std::string& group, const std::vector<const HardwareFault*>& faults);

}  // namespace accsim
