#pragma once
// The error-protection code of a memory structure (CBUF, DRAM; docs/memory_faults.md):
// what a read of one code word returns when some of its stored bits are wrong.
//  - none:   64 data bits, no check bits: every error is silent.
//  - parity: 64 data bits + 1 even-parity bit (bit 64): an odd number of flipped bits is
//            detected, an even number is silent.
//  - secded: the extended Hamming (72, 64) code: bit 0 is the overall parity, bits 1..71
//            are Hamming positions; the positions 1, 2, 4, 8, 16, 32, 64 hold the check
//            bits and the other 64 positions hold data bits 0..63 in increasing order. A
//            read corrects any 1-bit error, detects any 2-bit error, and a 3-bit error
//            is either detected (syndrome past position 71) or miscorrected (a fourth
//            bit flipped, or the overall parity bit "corrected" and the data left wrong).
#include <cstdint>
#include <string>
#include <vector>

namespace accsim {

enum class EccCode { none, parity, secded };
const std::vector<std::string>& ecc_code_names();  // {"none", "parity", "secded"}
EccCode parse_ecc_code(const std::string& name);    // std::invalid_argument otherwise
const char* to_string(EccCode code);

// Bits of one stored code word: 64, 65, 72.
int code_word_bits(EccCode code);

// A stored code word, bit i at word[i / 64] >> (i % 64) (72 bits need two 64-bit halves).
struct CodeWord {
  std::uint64_t low = 0, high = 0;
  bool bit(int i) const { return ((i < 64 ? low >> i : high >> (i - 64)) & 1u) != 0; }
  void flip(int i) { (i < 64 ? low : high) ^= std::uint64_t{1} << (i < 64 ? i : i - 64); }
  void set(int i, bool v) {
    if (bit(i) != v) flip(i);
  }
  bool operator==(const CodeWord& o) const { return low == o.low && high == o.high; }
};

CodeWord ecc_encode(EccCode code, std::uint64_t data);

// What one read of a (possibly corrupted) code word gives.
enum class ReadOutcome {
  clean,      // no bit was wrong
  corrected,  // the decoder corrected the error: the data read is the data written
  detected,   // the decoder flagged an uncorrectable error (a DUE)
  silent,     // the data read differs from the data written and nothing was flagged
              // (no code, an even number of flips under parity, a SECDED miscorrection)
};
const char* to_string(ReadOutcome o);

struct EccRead {
  ReadOutcome outcome = ReadOutcome::clean;
  std::uint64_t data = 0;  // the data the read returns (meaningful unless detected)
};

// Decodes `stored`; `written` is the data the word was written with (to tell a silent
// error from a clean read: the hardware does not know it).
EccRead ecc_read(EccCode code, const CodeWord& stored, std::uint64_t written);

// The Hamming position (1..71) of data bit d (0..63) in a SECDED word.
int secded_data_position(int d);

}  // namespace accsim
