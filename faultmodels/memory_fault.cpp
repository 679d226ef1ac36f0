#include "faultmodels/memory_fault.h"

#include <stdexcept>

#include "arch/random.h"

namespace accsim {

const std::vector<std::string>& memory_structure_names() {
  static const std::vector<std::string> names{"cbuf", "dram"};
  return names;
}

MemoryStructure parse_memory_structure(const std::string& name) {
  const auto& names = memory_structure_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<MemoryStructure>(i);
  throw std::invalid_argument("unknown memory structure '" + name + "'");
}

const char* to_string(MemoryStructure s) { return memory_structure_names().at(static_cast<std::size_t>(s)).c_str(); }

MemoryFaultConfig parse_memory_fault_config(ConfigReader r) {
  MemoryFaultConfig c;
  for (MemoryStructure s : {MemoryStructure::cbuf, MemoryStructure::dram}) {
    const std::string name = to_string(s);
    c.codes[static_cast<int>(s)] = parse_ecc_code(r.get_choice(name + "_code", ecc_code_names(), "secded"));
    c.raw_fit_per_mbit[static_cast<int>(s)] = r.get_double(name + "_raw_fit_per_mbit", 0.0, 1e9, 1000.0);
  }
  c.multi_bit_fraction = r.get_double("multi_bit_fraction", 0.0, 1.0, 0.0);
  if (r.has("multi_bit_sizes")) {
    const std::string expected = "a non-empty array of distinct sizes from {2, 3}";
    const nlohmann::json& v = r.get_raw("multi_bit_sizes", expected);
    if (!v.is_array() || v.empty() || v.size() > 2) r.fail("multi_bit_sizes", "expected " + expected);
    c.multi_bit_sizes.clear();
    for (const nlohmann::json& x : v) {
      if (!x.is_number_integer() || (x.get<int>() != 2 && x.get<int>() != 3))
        r.fail("multi_bit_sizes", "expected " + expected + ", got " + x.dump());
      c.multi_bit_sizes.push_back(x.get<int>());
    }
    if (c.multi_bit_sizes.size() == 2 && c.multi_bit_sizes[0] == c.multi_bit_sizes[1])
      r.fail("multi_bit_sizes", "expected " + expected + ": a size is listed twice");
  }
  r.finish();
  return c;
}

MemoryFault draw_memory_fault(const MemoryFaultConfig& config, const std::vector<MemoryStructure>& structures,
                              const std::vector<FaultKind>& kinds, const long long words[2], std::uint64_t seed,
                              long long index, long long run_cycles) {
  if (structures.empty() || kinds.empty() || run_cycles < 1)
    throw std::invalid_argument("draw_memory_fault: no structure, kind or run cycles");
  Rng rng(splitmix64(seed ^ static_cast<std::uint64_t>(index)));
  auto below = [&rng](long long n) { return static_cast<long long>(rng.below(static_cast<std::uint64_t>(n))); };
  MemoryFault f;
  f.structure = structures[static_cast<std::size_t>(below(static_cast<long long>(structures.size())))];
  f.kind = kinds[static_cast<std::size_t>(below(static_cast<long long>(kinds.size())))];
  const long long n = words[static_cast<int>(f.structure)];
  if (n < 1) throw std::invalid_argument("draw_memory_fault: the structure has no words");
  f.word = below(n);
  const bool multi = rng.uniform01() < config.multi_bit_fraction;
  f.bits = multi ? config.multi_bit_sizes.at(static_cast<std::size_t>(below(static_cast<long long>(config.multi_bit_sizes.size())))) : 1;
  f.bit = static_cast<int>(below(code_word_bits(config.code(f.structure)) - f.bits + 1));
  if (f.kind == FaultKind::transient) f.cycle = below(run_cycles);
  return f;
}

EccRead read_faulty_word(EccCode code, const MemoryFault& fault, std::uint64_t data) {
  CodeWord w = ecc_encode(code, data);
  for (int b = fault.bit; b < fault.bit + fault.bits; ++b) {
    if (fault.kind == FaultKind::transient) w.flip(b);
    else w.set(b, fault.kind == FaultKind::stuck_at_1);
  }
  return ecc_read(code, w, data);
}

std::string describe(const MemoryFault& f) {
  std::string s = std::string(to_string(f.structure)) + " word " + std::to_string(f.word) + " bit" +
                  (f.bits > 1 ? "s " + std::to_string(f.bit) + "-" + std::to_string(f.bit + f.bits - 1)
                              : " " + std::to_string(f.bit)) +
                  " " + to_string(f.kind);
  if (f.cycle >= 0) s += " @ " + std::to_string(f.cycle);
  return s;
}

}  // namespace accsim
