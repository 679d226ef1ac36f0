#include "faultmodels/ecc_code.h"

#include <array>
#include <stdexcept>

namespace accsim {

namespace {

constexpr int kSecdedPositions = 72;  // 0: overall parity, 1..71: Hamming positions

bool is_power_of_two(int p) { return p > 0 && (p & (p - 1)) == 0; }

// position_of[d]: the Hamming position of data bit d.
const std::array<int, 64>& data_positions() {
  static const std::array<int, 64> table = [] {
    std::array<int, 64> t{};
    int d = 0;
    for (int p = 1; p < kSecdedPositions && d < 64; ++p)
      if (!is_power_of_two(p)) t[static_cast<std::size_t>(d++)] = p;
    return t;
  }();
  return table;
}

int popcount(std::uint64_t x) {
  int n = 0;
  for (; x != 0; x &= x - 1) ++n;
  return n;
}

CodeWord secded_encode(std::uint64_t data) {
  CodeWord w;
  int syndrome = 0;  // XOR of the positions of the set data bits
  for (int d = 0; d < 64; ++d)
    if ((data >> d) & 1u) {
      w.set(data_positions()[static_cast<std::size_t>(d)], true);
      syndrome ^= data_positions()[static_cast<std::size_t>(d)];
    }
  for (int c = 1; c < kSecdedPositions; c <<= 1) w.set(c, (syndrome & c) != 0);  // zero syndrome
  w.set(0, (popcount(w.low) + popcount(w.high)) % 2 != 0);                       // even overall parity
  return w;
}

std::uint64_t secded_data(const CodeWord& w) {
  std::uint64_t data = 0;
  for (int d = 0; d < 64; ++d)
    if (w.bit(data_positions()[static_cast<std::size_t>(d)])) data |= std::uint64_t{1} << d;
  return data;
}

// Returns what the decoder does (clean / corrected / detected) and the corrected word.
ReadOutcome secded_decode(CodeWord& w) {
  int syndrome = 0;
  for (int p = 1; p < kSecdedPositions; ++p)
    if (w.bit(p)) syndrome ^= p;
  const bool odd = (popcount(w.low) + popcount(w.high)) % 2 != 0;
  if (syndrome == 0 && !odd) return ReadOutcome::clean;
  if (!odd) return ReadOutcome::detected;  // even number of flips, nonzero syndrome: double error
  if (syndrome >= kSecdedPositions) return ReadOutcome::detected;  // points past the word
  w.flip(syndrome);  // syndrome 0: the overall parity bit itself
  return ReadOutcome::corrected;
}

EccRead decoded(ReadOutcome decoder, std::uint64_t data, std::uint64_t written) {
  if (decoder == ReadOutcome::detected) return {ReadOutcome::detected, data};
  if (data != written) return {ReadOutcome::silent, data};
  return {decoder, data};
}

}  // namespace

const std::vector<std::string>& ecc_code_names() {
  static const std::vector<std::string> names{"none", "parity", "secded"};
  return names;
}

EccCode parse_ecc_code(const std::string& name) {
  const auto& names = ecc_code_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<EccCode>(i);
  throw std::invalid_argument("unknown code '" + name + "'");
}

const char* to_string(EccCode code) { return ecc_code_names().at(static_cast<std::size_t>(code)).c_str(); }

const char* to_string(ReadOutcome o) {
  static const char* const names[] = {"clean", "corrected", "detected", "silent"};
  return names[static_cast<int>(o)];
}

int code_word_bits(EccCode code) {
  static const int bits[] = {64, 65, kSecdedPositions};
  return bits[static_cast<int>(code)];
}

int secded_data_position(int d) { return data_positions().at(static_cast<std::size_t>(d)); }

CodeWord ecc_encode(EccCode code, std::uint64_t data) {
  if (code == EccCode::secded) return secded_encode(data);
  CodeWord w;
  w.low = data;
  if (code == EccCode::parity) w.high = static_cast<std::uint64_t>(popcount(data) % 2);
  return w;
}

EccRead ecc_read(EccCode code, const CodeWord& stored, std::uint64_t written) {
  switch (code) {
    case EccCode::none:
      return decoded(ReadOutcome::clean, stored.low, written);
    case EccCode::parity: {
      const bool odd = (popcount(stored.low) + static_cast<int>(stored.high & 1u)) % 2 != 0;
      return decoded(odd ? ReadOutcome::detected : ReadOutcome::clean, stored.low, written);
    }
    case EccCode::secded: {
      CodeWord w = stored;
      const ReadOutcome decoder = secded_decode(w);
      const ReadOutcome raw = stored == ecc_encode(code, written) ? ReadOutcome::clean : decoder;
      return decoded(raw, secded_data(w), written);
    }
  }
  throw std::invalid_argument("ecc_read: unknown code");
}

}  // namespace accsim
