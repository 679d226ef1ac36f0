// The number formats' conversions and per-site bit widths: fp16 against the CPU's F16C
// conversions (every word, and a million random floats), bf16 and int8 against their
// definitions (round to nearest even, saturation, NaN and infinity handling), and the
// fault-bit ranges every site accepts on every format.
#include "arch/number_format.h"

#include <gtest/gtest.h>
#include <immintrin.h>

#include <cmath>
#include <limits>

#include "arch/array_operands.h"
#include "arch/hardware_fault.h"
#include "arch/random.h"
#include "test_util.h"

namespace accsim {
namespace {

bool is_nan16(std::uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

TEST(NumberFormat, NamesParseBackAndUnknownNamesListTheFormats) {
  for (const auto& name : datatype_names()) EXPECT_EQ(to_string(parse_datatype(name)), name);
  try {
    parse_datatype("fp8");
    ADD_FAILURE() << "fp8 parsed";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("fp32, fp16, bf16, int8"), std::string::npos) << e.what();
  }
  EXPECT_EQ(bytes_per_element(DataType::fp32), 4);
  EXPECT_EQ(bytes_per_element(DataType::fp16), 2);
  EXPECT_EQ(bytes_per_element(DataType::bf16), 2);
  EXPECT_EQ(bytes_per_element(DataType::int8), 1);
}

TEST(NumberFormat, Fp16DecodingOfEveryWordMatchesF16cAndRoundTrips) {
  for (std::uint32_t w = 0; w < 0x10000u; ++w) {
    const std::uint16_t h = static_cast<std::uint16_t>(w);
    const float mine = fp16_to_fp32(h), cpu = _cvtsh_ss(h);
    if (is_nan16(h)) {
      ASSERT_TRUE(std::isnan(mine)) << std::hex << w;
      // The payload stays in the top mantissa bits (no quieting).
      ASSERT_EQ((float_bits(mine) >> 13) & 0x3ffu, h & 0x3ffu) << std::hex << w;
      continue;
    }
    ASSERT_EQ(float_bits(mine), float_bits(cpu)) << std::hex << w;
    ASSERT_EQ(fp32_to_fp16(mine), h) << std::hex << w;  // exact round trip
  }
}

TEST(NumberFormat, Fp16EncodingRoundsToNearestEvenLikeF16cOnAMillionFloats) {
  Rng rng(16);
  auto check = [](float f) {
    const std::uint16_t mine = fp32_to_fp16(f);
    if (std::isnan(f)) {
      ASSERT_EQ(mine, kCanonicalNaNFp16);
      return;
    }
    ASSERT_EQ(mine, _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT)) << std::hexfloat << f;
  };
  for (int i = 0; i < 1000000; ++i) {
    // Random bits over the whole float range, and values near fp16's range and its ties.
    const std::uint32_t bits = static_cast<std::uint32_t>(rng.next());
    check(bits_float(bits));
    check(bits_float(0x33000000u + (bits & 0x14ffffffu)));  // 2^-25 .. well past 65504
  }
  for (float f : {0.0f, -0.0f, 65504.0f, 65519.99f, 65520.0f, -65520.0f, 5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f,
                  8.940697e-8f, 6.097555e-5f, 6.1035156e-5f, std::numeric_limits<float>::infinity(),
                  std::numeric_limits<float>::denorm_min(), 1.0009765625f + 0.00048828125f})
    check(f);
  EXPECT_EQ(fp32_to_fp16(65520.0f), 0x7c00u);            // the tie above the largest finite half rounds to Inf
  EXPECT_EQ(fp32_to_fp16(2.9802322e-8f), 0x0000u);       // 2^-25: tie, rounds to even (zero)
  EXPECT_EQ(fp32_to_fp16(-std::nanf("")), kCanonicalNaNFp16);
}

TEST(NumberFormat, Bf16RoundsToNearestEvenOverflowsToInfAndCanonicalisesNaN) {
  EXPECT_EQ(fp32_to_bf16(bits_float(0x3f808000u)), 0x3f80u);  // tie, even stays
  EXPECT_EQ(fp32_to_bf16(bits_float(0x3f818000u)), 0x3f82u);  // tie, odd rounds up
  EXPECT_EQ(fp32_to_bf16(bits_float(0x3f808001u)), 0x3f81u);  // above the tie
  EXPECT_EQ(fp32_to_bf16(bits_float(0x7f7fffffu)), 0x7f80u);  // FLT_MAX rounds to Inf
  EXPECT_EQ(fp32_to_bf16(bits_float(0xff7fffffu)), 0xff80u);
  EXPECT_EQ(fp32_to_bf16(bits_float(0x7f800001u)), kCanonicalNaNBf16);
  EXPECT_EQ(fp32_to_bf16(bits_float(0xffc12345u)), kCanonicalNaNBf16);
  for (std::uint32_t w = 0; w < 0x10000u; ++w) {
    const std::uint16_t h = static_cast<std::uint16_t>(w);
    if ((h & 0x7f80u) == 0x7f80u && (h & 0x7fu)) continue;  // NaN
    ASSERT_EQ(fp32_to_bf16(bf16_to_fp32(h)), h) << std::hex << w;
  }
}

TEST(NumberFormat, Int8QuantisationIsSymmetricPerTensorRoundsHalfEvenAndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const float data[] = {0.5f, -2.54f, 1.0f, inf, std::nanf(""), -inf};
  const float scale = int8_scale(data, 6);  // finite values only: 2.54 / 127
  EXPECT_EQ(scale, 2.54f / 127.0f);
  EXPECT_EQ(quantise_int8(-2.54f, scale), -127);
  EXPECT_EQ(quantise_int8(inf, scale), 127);
  EXPECT_EQ(quantise_int8(-inf, scale), -127);
  EXPECT_EQ(quantise_int8(std::nanf(""), scale), 0);
  EXPECT_EQ(quantise_int8(1000.0f, scale), 127);
  EXPECT_EQ(quantise_int8(2.5f, 1.0f), 2);  // ties to even
  EXPECT_EQ(quantise_int8(3.5f, 1.0f), 4);
  EXPECT_EQ(quantise_int8(-2.5f, 1.0f), -2);
  EXPECT_EQ(quantise_int8(-0.4f, 1.0f), 0);
  const float zeros[] = {0.0f, -0.0f};
  EXPECT_EQ(int8_scale(zeros, 2), 1.0f);  // an all-zero tensor
  // Words: two's complement in the low 8 bits; -127 = 0x81.
  EXPECT_EQ(encode_word(DataType::int8, -2.54f, scale), 0x81u);
  EXPECT_EQ(decode_word(DataType::int8, 0x80u, 0.5f), -64.0f);  // -128 exists as a word (faults make it)
  EXPECT_EQ(sign_extend(0xffffu, 16), -1);
  EXPECT_EQ(sign_extend(0x17fu, 8), 127);
}

// encode_tensor converts eight at a time with the CPU's vector units where it can;
// every element must equal encode_word's, NaN and infinities and ties included.
TEST(NumberFormat, TensorEncodingEqualsWordByWordEncodingInEveryFormat) {
  Rng rng(77);
  Tensor t({1003});
  const float specials[] = {std::nanf(""), -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::infinity(), 65520.0f, 2.9802322e-8f, -0.0f, 0.0f, 1e30f};
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::uint64_t r = rng.next();
    t[i] = r % 7 == 0 ? specials[(r / 7) % 8] : r % 7 == 1 ? bits_float(static_cast<std::uint32_t>(r >> 20)) : rng.uniform(-3, 3);
  }
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
    for (float scale : {tensor_scale(type, t), 0.01f, 1.0f / 254.0f}) {
      const std::vector<std::uint32_t> words = encode_tensor(type, t, scale);
      for (std::size_t i = 0; i < t.size(); ++i)
        ASSERT_EQ(words[i], encode_word(type, t[i], scale)) << to_string(type) << " " << std::hexfloat << t[i];
    }
  }
  // Exact ties round to even on the vector path too: 1.5 -> 2, 2.5 -> 2, -3.5 -> -4, -2.5 -> -2.
  Tensor ties({16});
  const float tie[] = {1.5f, 2.5f, -3.5f, -2.5f};
  const std::uint32_t want[] = {2u, 2u, 0xfcu, 0xfeu};
  for (std::size_t i = 0; i < 16; ++i) ties[i] = tie[i % 4];
  const std::vector<std::uint32_t> q = encode_tensor(DataType::int8, ties, 1.0f);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_EQ(q[i], want[i % 4]) << i;
}

TEST(NumberFormat, EverySiteHasItsWidthOnEveryFormat) {
  struct Row {
    DataType t;
    int weight, input, product, psum, accumulator;
  };
  const Row rows[] = {{DataType::fp32, 32, 32, 32, 32, 32},
                      {DataType::fp16, 16, 16, 32, 32, 32},
                      {DataType::bf16, 16, 16, 32, 32, 32},
                      {DataType::int8, 8, 8, 16, 32, 32}};
  for (const auto& r : rows) {
    EXPECT_EQ(site_bit_width(FaultSite::weight, r.t), r.weight);
    EXPECT_EQ(site_bit_width(FaultSite::input, r.t), r.input);
    EXPECT_EQ(site_bit_width(FaultSite::product, r.t), r.product);
    EXPECT_EQ(site_bit_width(FaultSite::psum, r.t), r.psum);
    EXPECT_EQ(site_bit_width(FaultSite::accumulator, r.t), r.accumulator);
  }
}

TEST(NumberFormat, ValidateRejectsABitOutsideTheSitesWordNamingTheRange) {
  ArrayConfig a = testing::preset("small");
  for (DataType t : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
    a.datatype = t;
    for (int s = 0; s < 5; ++s) {
      HardwareFault f;
      f.site = static_cast<FaultSite>(s);
      const int width = site_bit_width(f.site, t);
      f.bit = width - 1;
      EXPECT_NO_THROW(validate(f, a)) << to_string(t) << " " << to_string(f.site);
      for (int bad : {width, -1}) {
        f.bit = bad;
        try {
          validate(f, a);
          ADD_FAILURE() << to_string(t) << " " << to_string(f.site) << " bit " << bad << " accepted";
        } catch (const std::invalid_argument& e) {
          const std::string m = e.what();
          EXPECT_NE(m.find("[0, " + std::to_string(width - 1) + "]"), std::string::npos) << m;
          EXPECT_NE(m.find(to_string(t)), std::string::npos) << m;
        }
      }
    }
  }
}

// Register words flipped and forced on a narrow word stay inside it.
TEST(NumberFormat, StuckMasksAndFlipsKeepANarrowWordInItsWidth) {
  StuckMask m;
  m.keep &= ~(1u << 3);
  m.force |= 1u << 15;
  EXPECT_EQ(m.apply(0x000fu), 0x8007u);
  EXPECT_EQ(m.apply(0x7fffu ^ (1u << 14)), 0xbff7u);
  StuckMask b;
  b.force |= 1u << 7;  // int8 sign
  EXPECT_EQ(sign_extend(b.apply(0x05u), 8), -123);
}

}  // namespace
}  // namespace accsim
