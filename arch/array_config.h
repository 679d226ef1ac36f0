#pragma once
// The shape and timing parameters of the convolution core (NVDLA CMAC/CSC/CACC).
#include <string>

#include "arch/config_reader.h"
#include "arch/energy_table.h"
#include "arch/memory_config.h"
#include "arch/number_format.h"
#include "arch/swizzle.h"

namespace accsim {

struct ArrayConfig {
  std::string name = "custom";        // preset label, for reports only
  int atomic_c = 8;                   // PE rows: input channels per atomic operation
  int atomic_k = 8;                   // PE columns (MAC cells): output channels per atomic operation
  DataType datatype = DataType::fp32;
  int stripe_length = 16;             // atomic operations per stripe (weights held fixed)
  int weight_load_bytes_per_cycle = 32;  // shadow weight registers fill at this rate
  long long cbuf_bytes = 128 * 1024;  // convolution buffer (= memory.cbuf_bytes() when memory is enabled)
  int mac_pipeline_depth = 7;         // CMAC latency, paid once per job to drain
  double clock_mhz = 1000.0;
  SwizzlePolicy swizzle = SwizzlePolicy::none;  // optional key, default none
  MemoryConfig memory;                // optional object: the memory side (ideal without it)
  EnergyTable energy;                 // optional object: energy per access (defaults without it)

  int pes() const { return atomic_c * atomic_k; }
};

// Parses the "array" object; every key is required except `name`, `swizzle`, `memory` and `energy`. Unknown keys and
// out-of-range values throw InputError naming file, key and range.
ArrayConfig parse_array_config(ConfigReader reader);

}  // namespace accsim
