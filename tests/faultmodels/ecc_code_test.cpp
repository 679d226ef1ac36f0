#include "faultmodels/ecc_code.h"

#include <gtest/gtest.h>

#include <random>

namespace accsim {
namespace {

int distance(const CodeWord& a, const CodeWord& b) {
  int n = 0;
  for (int i = 0; i < 72; ++i) n += a.bit(i) != b.bit(i);
  return n;
}

std::vector<std::uint64_t> sample_data() {
  std::mt19937_64 rng(7);
  std::vector<std::uint64_t> d{0, ~std::uint64_t{0}, 0x3f800000bf800000ull};
  for (int i = 0; i < 5; ++i) d.push_back(rng());
  return d;
}

// The code's defining property, checked from the encoder alone: any two code words
// differ in at least 4 bits (so 1 error is correctable and 2 detectable).
TEST(EccCode, SecdedMinimumDistanceIsFour) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t a = rng(), b = a ^ (std::uint64_t{1} << (rng() % 64)) ^ (i % 2 ? 0 : std::uint64_t{1} << (rng() % 64));
    if (a == b) continue;
    EXPECT_GE(distance(ecc_encode(EccCode::secded, a), ecc_encode(EccCode::secded, b)), 4);
  }
  for (int d = 0; d < 64; ++d)  // a one-bit data change moves at least 3 check / parity bits with it
    EXPECT_GE(distance(ecc_encode(EccCode::secded, 0), ecc_encode(EccCode::secded, std::uint64_t{1} << d)), 4);
}

TEST(EccCode, SecdedCorrectsEverySingleBitError) {
  for (std::uint64_t data : sample_data())
    for (int i = 0; i < 72; ++i) {
      CodeWord w = ecc_encode(EccCode::secded, data);
      w.flip(i);
      const EccRead r = ecc_read(EccCode::secded, w, data);
      EXPECT_EQ(r.outcome, ReadOutcome::corrected) << "bit " << i;
      EXPECT_EQ(r.data, data);
    }
}

TEST(EccCode, SecdedDetectsEveryDoubleBitError) {
  for (std::uint64_t data : sample_data())
    for (int i = 0; i < 72; ++i)
      for (int j = i + 1; j < 72; ++j) {
        CodeWord w = ecc_encode(EccCode::secded, data);
        w.flip(i);
        w.flip(j);
        ASSERT_EQ(ecc_read(EccCode::secded, w, data).outcome, ReadOutcome::detected) << i << "," << j;
      }
}

// Every 3-bit error either is detected or is "corrected" to the nearest code word, which
// (distance 4) is a different one: checked by brute force over the 72 one-bit neighbours.
TEST(EccCode, SecdedTripleErrorsAreDetectedOrMiscorrected) {
  const std::uint64_t data = 0x0123456789abcdefull;
  const CodeWord sent = ecc_encode(EccCode::secded, data);
  int detected = 0, miscorrected = 0;
  for (int i = 0; i < 72; i += 3)
    for (int j = i + 1; j < 72; j += 2)
      for (int k = j + 1; k < 72; k += 5) {
        CodeWord w = sent;
        w.flip(i), w.flip(j), w.flip(k);
        const EccRead r = ecc_read(EccCode::secded, w, data);
        bool neighbour_is_code_word = false;
        for (int b = 0; b < 72 && !neighbour_is_code_word; ++b) {
          CodeWord n = w;
          n.flip(b);
          neighbour_is_code_word = ecc_encode(EccCode::secded, r.data) == n;
        }
        if (r.outcome == ReadOutcome::detected) {
          ++detected;
          EXPECT_FALSE(neighbour_is_code_word) << i << "," << j << "," << k;
        } else {
          ++miscorrected;
          EXPECT_EQ(r.outcome, ReadOutcome::silent);
          EXPECT_NE(r.data, data);
          EXPECT_TRUE(neighbour_is_code_word) << i << "," << j << "," << k;
        }
      }
  EXPECT_GT(detected, 0);
  EXPECT_GT(miscorrected, 0);
}

// Known cases: data bits 0, 1, 2 sit at positions 3, 5, 6 (3^5^6 = 0): the decoder takes
// the error for the overall parity bit and returns the three data bits flipped; positions
// 48, 56, 71 give syndrome 79, past the word: detected.
TEST(EccCode, SecdedKnownTripleErrors) {
  EXPECT_EQ(secded_data_position(0), 3);
  EXPECT_EQ(secded_data_position(1), 5);
  EXPECT_EQ(secded_data_position(2), 6);
  EXPECT_EQ(secded_data_position(63), 71);
  CodeWord w = ecc_encode(EccCode::secded, 0);
  w.flip(3), w.flip(5), w.flip(6);
  const EccRead r = ecc_read(EccCode::secded, w, 0);
  EXPECT_EQ(r.outcome, ReadOutcome::silent);
  EXPECT_EQ(r.data, 0x7u);
  CodeWord v = ecc_encode(EccCode::secded, 0);
  v.flip(48), v.flip(56), v.flip(71);
  EXPECT_EQ(ecc_read(EccCode::secded, v, 0).outcome, ReadOutcome::detected);
}

TEST(EccCode, ParityDetectsOddAndMissesEvenFlips) {
  const std::uint64_t data = 0xdeadbeefull;
  for (int i = 0; i < 65; ++i) {
    CodeWord w = ecc_encode(EccCode::parity, data);
    w.flip(i);
    EXPECT_EQ(ecc_read(EccCode::parity, w, data).outcome, ReadOutcome::detected);
    w.flip((i + 1) % 64);
    const EccRead r = ecc_read(EccCode::parity, w, data);
    EXPECT_EQ(r.outcome, ReadOutcome::silent) << i;  // two flips: even parity again
  }
}

TEST(EccCode, NoneIsSilentAndNamesParse) {
  CodeWord w = ecc_encode(EccCode::none, 5);
  EXPECT_EQ(ecc_read(EccCode::none, w, 5).outcome, ReadOutcome::clean);
  w.flip(0);
  const EccRead r = ecc_read(EccCode::none, w, 5);
  EXPECT_EQ(r.outcome, ReadOutcome::silent);
  EXPECT_EQ(r.data, 4u);
  EXPECT_EQ(code_word_bits(EccCode::secded), 72);
  EXPECT_EQ(parse_ecc_code("parity"), EccCode::parity);
  EXPECT_THROW(parse_ecc_code("hamming"), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
