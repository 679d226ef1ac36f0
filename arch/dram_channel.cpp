#include "arch/dram_channel.h"

namespace accsim {

long long dram_transfer_cycles(long long bytes, const MemoryConfig& m) {
  if (bytes <= 0) return 0;
  const long long transfer = (bytes + m.dram_bytes_per_cycle - 1) / m.dram_bytes_per_cycle;
  const long long rows = (bytes + m.dram_row_bytes - 1) / m.dram_row_bytes;
  return transfer + rows * m.dram_row_miss_cycles;
}

}  // namespace accsim
