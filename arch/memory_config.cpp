#include "arch/memory_config.h"

#include <cstdint>

namespace accsim {

namespace {

struct Key {
  const char* name;
  int MemoryConfig::*field;
  std::int64_t lo, hi;
};

// Every integer key, its member and its allowed range.
const std::vector<Key>& keys() {
  static const std::vector<Key> k{
      {"cbuf_banks", &MemoryConfig::cbuf_banks, 2, 1024},
      {"cbuf_bank_entries", &MemoryConfig::cbuf_bank_entries, 1, 1 << 20},
      {"cbuf_entry_bytes", &MemoryConfig::cbuf_entry_bytes, 1, 4096},
      {"memory_atomic_bytes", &MemoryConfig::memory_atomic_bytes, 1, 4096},
      {"cbuf_read_bytes_per_cycle", &MemoryConfig::cbuf_read_bytes_per_cycle, 1, 1 << 20},
      {"dram_bytes_per_cycle", &MemoryConfig::dram_bytes_per_cycle, 1, 1 << 20},
      {"dram_latency_cycles", &MemoryConfig::dram_latency_cycles, 0, 1 << 20},
      {"dram_row_bytes", &MemoryConfig::dram_row_bytes, 1, 1 << 30},
      {"dram_row_miss_cycles", &MemoryConfig::dram_row_miss_cycles, 0, 1 << 20},
      {"sdp_elements_per_cycle", &MemoryConfig::sdp_elements_per_cycle, 1, 4096},
      {"pdp_elements_per_cycle", &MemoryConfig::pdp_elements_per_cycle, 1, 4096},
  };
  return k;
}

MemoryConfig nv_small() {
  // nvdla/hw spec/defs/nv_small.spec; the data port is scaled to the fp32 datapath (x4).
  MemoryConfig m;
  m.preset = "nv_small";
  m.cbuf_banks = 32, m.cbuf_bank_entries = 512, m.cbuf_entry_bytes = 8, m.memory_atomic_bytes = 8;
  m.cbuf_read_bytes_per_cycle = 32;
  m.dram_bytes_per_cycle = 8, m.dram_latency_cycles = 64;
  m.sdp_elements_per_cycle = 1, m.pdp_elements_per_cycle = 1;
  return m;
}

MemoryConfig nv_large() {
  // nvdla/hw spec/defs/nv_large.spec; the data port is scaled to the fp32 datapath (x4).
  MemoryConfig m;
  m.preset = "nv_large";
  m.cbuf_banks = 16, m.cbuf_bank_entries = 512, m.cbuf_entry_bytes = 64, m.memory_atomic_bytes = 32;
  m.cbuf_read_bytes_per_cycle = 256;
  m.dram_bytes_per_cycle = 32, m.dram_latency_cycles = 1024;
  m.sdp_elements_per_cycle = 16, m.pdp_elements_per_cycle = 8;
  return m;
}

}  // namespace

const std::vector<std::string>& memory_preset_names() {
  static const std::vector<std::string> names{"nv_small", "nv_large", "none"};
  return names;
}

MemoryConfig memory_preset(const std::string& name) {
  if (name == "nv_large") return nv_large();
  if (name == "nv_small") return nv_small();
  MemoryConfig m;
  m.preset = "none";
  return m;
}

MemoryConfig parse_memory_config(ConfigReader r) {
  MemoryConfig m = memory_preset(r.get_choice("preset", memory_preset_names(), "none"));
  const bool defaults = m.preset != "none";
  for (const Key& k : keys())
    m.*k.field = static_cast<int>(defaults ? r.get_int(k.name, k.lo, k.hi, m.*k.field) : r.get_int(k.name, k.lo, k.hi));
  if (m.cbuf_entry_bytes % m.memory_atomic_bytes != 0)
    r.fail("memory_atomic_bytes", std::to_string(m.memory_atomic_bytes) + " must divide cbuf_entry_bytes (" +
                                      std::to_string(m.cbuf_entry_bytes) + "): an entry holds whole atoms");
  r.finish();
  m.enabled = true;
  return m;
}

}  // namespace accsim
