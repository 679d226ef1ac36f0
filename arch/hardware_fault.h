#pragma once
// A fault in one storage element or wire of the convolution core.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"

namespace accsim {

enum class FaultSite {
  weight,       // PE (row, col) active weight register
  input,        // PE (row, col) input register (the broadcast feature value it holds)
  product,      // PE (row, col) multiplier output
  psum,         // column col's adder-tree output
  accumulator,  // accumulator entry (slot, col): the running sum of stripe position `slot`
};
enum class FaultKind { stuck_at_0, stuck_at_1, transient };

struct HardwareFault {
  FaultSite site = FaultSite::weight;
  int row = 0;  // PE row; stripe slot for the accumulator; 0 for psum
  int col = 0;  // PE column / MAC cell
  int bit = 0;
  FaultKind kind = FaultKind::stuck_at_0;
  long long cycle = -1;  // transient only: run cycle at which the bit flips

  bool permanent() const { return kind != FaultKind::transient; }
  bool storage() const { return site == FaultSite::weight || site == FaultSite::input || site == FaultSite::accumulator; }
  std::uint32_t mask() const { return std::uint32_t{1} << bit; }
};

std::string to_string(FaultSite s);
std::string to_string(FaultKind k);
const std::vector<std::string>& fault_site_names();
const std::vector<std::string>& fault_kind_names();
FaultSite parse_fault_site(const std::string& s);
FaultKind parse_fault_kind(const std::string& s);
// "weight PE(3,5) bit 30 stuck_at_1", "psum col 2 bit 27 transient @1500"
std::string describe(const HardwareFault& f);

// How many bits the site holds on a datapath of type t: the weight and input registers
// hold the operand word (fp32 32, fp16/bf16 16, int8 8); the multiplier output is fp32
// (int16 for int8); the adder-tree output and the accumulator entries are fp32 (int32
// for int8). Valid fault bits are [0, width).
int site_bit_width(FaultSite site, DataType t);
// "fp16 weight register (16 bits: 15 sign, 14..10 exponent, 9..0 mantissa)"
std::string describe_site_word(FaultSite site, DataType t);

// Throws std::invalid_argument when the fault does not exist on this array (the
// message names the allowed range).
void validate(const HardwareFault& f, const ArrayConfig& array);

}  // namespace accsim
