#pragma once
// Parses the config's "faults" array into hardware faults, checking every location,
// bit and cycle against the array they are injected into.
#include <vector>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/hardware_fault.h"

namespace accsim {

// One element of "faults":
//   {"site": "weight"|"input"|"product", "pe": [row, col], ...}
//   {"site": "psum", "column": col, ...}
//   {"site": "accumulator", "entry": [slot, col], ...}
// with "bit" and "kind" (stuck_at_0 | stuck_at_1 | transient; a transient has "cycle").
HardwareFault parse_hardware_fault(ConfigReader reader, const ArrayConfig& array);
std::vector<HardwareFault> parse_hardware_faults(ConfigReader& parent, const std::string& key,
                                                 const ArrayConfig& array);

}  // namespace accsim
