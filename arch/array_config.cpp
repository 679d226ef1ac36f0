#include "arch/array_config.h"

namespace accsim {

ArrayConfig parse_array_config(ConfigReader r) {
  ArrayConfig c;
  c.name = r.get_string("name", c.name);
  c.atomic_c = static_cast<int>(r.get_int("atomic_c", 1, 256));
  c.atomic_k = static_cast<int>(r.get_int("atomic_k", 1, 256));
  c.datatype = parse_datatype(r.get_choice("datatype", datatype_names()));
  c.stripe_length = static_cast<int>(r.get_int("stripe_length", 1, 4096));
  c.weight_load_bytes_per_cycle = static_cast<int>(r.get_int("weight_load_bytes_per_cycle", 1, 1 << 20));
  c.cbuf_bytes = r.get_int("cbuf_bytes", 1, 1LL << 40);
  c.mac_pipeline_depth = static_cast<int>(r.get_int("mac_pipeline_depth", 0, 1024));
  c.clock_mhz = r.get_double("clock_mhz", 1.0, 100000.0);
  c.swizzle = parse_swizzle_policy(r.get_choice("swizzle", swizzle_policy_names(), "none"));
  auto power_of_two = [](int x) { return (x & (x - 1)) == 0; };
  if (c.swizzle == SwizzlePolicy::xor_ && !(power_of_two(c.atomic_c) && power_of_two(c.atomic_k)))
    r.fail("swizzle", "\"xor\" needs power-of-two atomic_c and atomic_k (got " + std::to_string(c.atomic_c) + "x" +
                          std::to_string(c.atomic_k) + "); use none, rotate or random");
  if (r.has("memory")) {
    c.memory = parse_memory_config(r.get_object("memory"));
    if (c.memory.cbuf_bytes() != c.cbuf_bytes)
      r.fail("cbuf_bytes", std::to_string(c.cbuf_bytes) + " differs from memory's cbuf_banks x cbuf_bank_entries x "
                           "cbuf_entry_bytes = " + std::to_string(c.memory.cbuf_bytes()));
  }
  if (r.has("energy")) c.energy = parse_energy_table(r.get_object("energy"));
  r.finish();
  return c;
}

}  // namespace accsim
