#pragma once
// The memory side of the chip around the MAC array (NVDLA CDMA, CBUF, CSC's data port,
// SDP/PDP and the DRAM channel): sizes, port widths, throughputs and the DRAM timing
// parameters. The optional "memory" object of the "array" block; without it the memory
// side is ideal (operands are in CBUF when a job starts, results leave for free), which
// is the model of every config that predates it. PDP pools a job's output on the fly
// when the job carries a pool window (arch/pdp_window.h). Values of the presets and their
// sources: docs/cycle_model.md, "Memory side".
#include <string>
#include <vector>

#include "arch/config_reader.h"

namespace accsim {

struct MemoryConfig {
  bool enabled = false;            // the "memory" object is present
  std::string preset = "none";     // nv_small, nv_large or none: the defaults of the keys below
  int cbuf_banks = 32;             // CBUF_BANK_NUMBER
  int cbuf_bank_entries = 512;     // CBUF_BANK_DEPTH: entries per bank
  int cbuf_entry_bytes = 8;        // CBUF_BANK_WIDTH: bytes per entry
  int memory_atomic_bytes = 8;     // MEMORY_ATOMIC_SIZE: channel bytes packed per atom
  int cbuf_read_bytes_per_cycle = 32;  // CSC's data read port (feature data into the array)
  int dram_bytes_per_cycle = 8;    // PRIMARY_MEMIF_WIDTH / 8
  int dram_latency_cycles = 64;    // PRIMARY_MEMIF_LATENCY: first byte of a request stream
  int dram_row_bytes = 2048;       // DRAM row (page): a stream opens one row per this many bytes
  int dram_row_miss_cycles = 28;   // precharge + activate per row opened (tRP + tRCD)
  int sdp_elements_per_cycle = 1;  // SDP_BS_THROUGHPUT: results taken from CACC per cycle
  int pdp_elements_per_cycle = 1;  // PDP_THROUGHPUT: SDP results PDP pools per cycle (on the fly)

  long long cbuf_bytes() const { return static_cast<long long>(cbuf_banks) * cbuf_bank_entries * cbuf_entry_bytes; }
  long long bank_bytes() const { return static_cast<long long>(cbuf_bank_entries) * cbuf_entry_bytes; }
};

// The presets' names ("nv_small", "nv_large"; "none": every key required).
const std::vector<std::string>& memory_preset_names();
MemoryConfig memory_preset(const std::string& name);

// Parses the "memory" object: keys absent from it take the preset's value; without a
// preset every key is required. Unknown keys and out-of-range values throw InputError.
MemoryConfig parse_memory_config(ConfigReader reader);

}  // namespace accsim
