#pragma once
// A bit fault in a memory word of the convolution buffer (CBUF) or DRAM, and what the
// memory's error-protection code makes of it (docs/memory_faults.md): the campaign
// sites `cbuf` and `dram` of `accsim campaign`.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "arch/hardware_fault.h"
#include "faultmodels/ecc_code.h"

namespace accsim {

enum class MemoryStructure { cbuf = 0, dram = 1 };
const std::vector<std::string>& memory_structure_names();  // {"cbuf", "dram"}
MemoryStructure parse_memory_structure(const std::string& name);  // std::invalid_argument otherwise
const char* to_string(MemoryStructure s);

// The campaign.memory object (docs/config.md).
struct MemoryFaultConfig {
  EccCode codes[2] = {EccCode::secded, EccCode::secded};  // per structure
  double multi_bit_fraction = 0.0;   // share of faults that upset 2-3 adjacent bits of one word
  std::vector<int> multi_bit_sizes{2, 3};  // the sizes a multi-bit upset draws from, uniformly
  // Raw soft-error rate per Mbit of each structure (check bits included), in FIT (failures
  // per 1e9 device hours). Default 1000: within the 700-1200 FIT/Mbit IEC 61508-2 gives
  // for embedded memories (after Baumann, "Radiation-Induced Soft Errors in Advanced
  // Semiconductor Technologies").
  double raw_fit_per_mbit[2] = {1000.0, 1000.0};

  EccCode code(MemoryStructure s) const { return codes[static_cast<int>(s)]; }
  double raw_fit(MemoryStructure s) const { return raw_fit_per_mbit[static_cast<int>(s)]; }
};

// Unknown keys and out-of-range values throw InputError naming the file and key.
MemoryFaultConfig parse_memory_fault_config(ConfigReader reader);

struct MemoryFault {
  MemoryStructure structure = MemoryStructure::cbuf;
  FaultKind kind = FaultKind::transient;  // stuck-at: every read of the word; transient: one flip at `cycle`
  long long word = 0;   // code word index: CBUF byte address / 8, DRAM word of the model's address map
  int bit = 0;          // the first upset bit of the code word (faultmodels/ecc_code.h numbering)
  int bits = 1;         // adjacent bits upset: bit .. bit + bits - 1
  long long cycle = -1; // transient: the run cycle it strikes; stuck-at: -1
};

// Draws experiment `index`'s fault from Rng(splitmix64(seed ^ index)), in this order: the
// structure (uniform over `structures`), the kind (over `kinds`), the word (uniform in
// [0, words of the structure)), the upset size (multi-bit with probability
// multi_bit_fraction, its size uniform over multi_bit_sizes, else 1), the first bit
// (uniform over the positions where the upset fits the code word) and, for a transient,
// the cycle (uniform in [0, run_cycles)).
MemoryFault draw_memory_fault(const MemoryFaultConfig& config, const std::vector<MemoryStructure>& structures,
                              const std::vector<FaultKind>& kinds, const long long words[2], std::uint64_t seed,
                              long long index, long long run_cycles);

// What the fault does to one stored word holding `data`: encodes it with the code, sets
// (stuck-at) or flips (transient) the upset bits and decodes.
EccRead read_faulty_word(EccCode code, const MemoryFault& fault, std::uint64_t data);

std::string describe(const MemoryFault& fault);  // "cbuf word 123 bits 4-5 transient @ 1000"

}  // namespace accsim
