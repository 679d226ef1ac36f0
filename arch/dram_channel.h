#pragma once
// The DRAM channel behind NVDLA's memory interface, as an open-page stream model: a
// stream of contiguous bytes moves at dram_bytes_per_cycle and waits
// dram_row_miss_cycles (precharge + activate) for every dram_row_bytes row it opens;
// one bank, no interleaving of rows, no refresh. A stream's first byte additionally
// arrives dram_latency_cycles after the request (paid where nothing hides it: the
// job's first fetch). docs/cycle_model.md, "Memory side".
#include "arch/memory_config.h"

namespace accsim {

// Cycles the channel is busy moving `bytes` contiguous bytes (latency excluded).
long long dram_transfer_cycles(long long bytes, const MemoryConfig& memory);

}  // namespace accsim
