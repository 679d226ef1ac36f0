// array_conv_region computes exactly the planes a ConvRegion selects, bit-identical to
// the whole job, and leaves every other element of the output alone.
#include <gtest/gtest.h>

#include <thread>

#include "arch/job_timing.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;
using testing::same_bits;

constexpr std::uint32_t kSentinel = 0x7fbadbadu;  // a NaN no datapath unit produces

std::vector<char> random_flags(Rng& rng, int n, int one_in) {
  std::vector<char> v(static_cast<std::size_t>(n));
  for (auto& x : v) x = rng.below(static_cast<std::uint64_t>(one_in)) == 0;
  return v;
}

TEST(ArrayConvRegion, SelectedPlanesEqualTheWholeJobAndOthersAreUntouched) {
  int planes_checked = 0;
  for (std::uint64_t seed = 0; seed < 120; ++seed) {
    Rng rng(0x5e1ec7 + seed);
    ArrayConfig a = preset(rng.below(4) == 0 ? "large" : "small");
    a.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
    if (rng.below(2)) a.stripe_length = 1 + static_cast<int>(rng.below(20));
    ConvJob job;
    job.layer = "case";
    job.swizzle_seed = rng.next();
    ConvShape& s = job.shape;
    s.n = 1 + static_cast<int>(rng.below(5));
    s.c = 1 + static_cast<int>(rng.below(20));
    s.k = 1 + static_cast<int>(rng.below(20));
    s.r = s.s = 1 + static_cast<int>(rng.below(3));
    s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
    s.h = s.r + static_cast<int>(rng.below(9));
    s.w = s.s + static_cast<int>(rng.below(9));
    if (rng.below(3) == 0) s.h = s.w = s.r = s.s = 1, s.pad = 0, s.n = 1 + static_cast<int>(rng.below(80));  // fc
    HardwareFault f;
    f.site = static_cast<FaultSite>(rng.below(5));
    f.kind = static_cast<FaultKind>(rng.below(3));
    f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
        f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c)));
    if (f.site == FaultSite::psum) f.row = 0;
    f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
    f.bit = static_cast<int>(rng.below(32));
    const long long cycles = closed_form_timing(s, a).cycles;
    if (f.kind == FaultKind::transient) f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
    const PeFaults faults(a, {f});
    const Mapping mapping(s, a, a.swizzle, job.swizzle_seed);
    const ErrorPattern pattern = map_transients(job, a, faults, 0);
    const Tensor in = random_tensor({s.n, s.c, s.h, s.w}, rng);
    const Tensor w = random_tensor({s.k, s.c, s.r, s.s}, rng);
    const Tensor whole = array_conv(job, a, mapping, faults, pattern, in, w);

    ConvRegion region;
    region.images = random_flags(rng, s.n, 3);
    if (rng.below(2)) region.image_columns = random_flags(rng, a.atomic_k, 2);
    if (rng.below(2)) region.columns = random_flags(rng, a.atomic_k, 4);
    Tensor out(whole.shape(), bits_float(kSentinel));
    array_conv_region(job, a, mapping, faults, pattern, in, w, region, out);

    const long long PQ = static_cast<long long>(s.p()) * s.q();
    const std::string what = "seed " + std::to_string(seed) + " [" + describe(f) + "]";
    for (int n = 0; n < s.n; ++n)
      for (int oc = 0; oc < s.k; ++oc) {
        const int col = mapping.col_of(oc);
        const bool selected = (region.columns.size() && region.columns[col]) ||
                              (region.images[n] && (region.image_columns.empty() || region.image_columns[col]));
        planes_checked += selected;
        for (long long i = 0; i < PQ; ++i) {
          const std::size_t at = static_cast<std::size_t>((static_cast<long long>(n) * s.k + oc) * PQ + i);
          if (selected)
            ASSERT_TRUE(same_bits(out[at], whole[at])) << what << " n " << n << " oc " << oc << " i " << i;
          else
            ASSERT_EQ(float_bits(out[at]), kSentinel) << what << " n " << n << " oc " << oc << " i " << i;
        }
      }
  }
  EXPECT_GT(planes_checked, 1000);
}

// A region with no transient flip takes the by-planes path (one-row jobs, c = 1) or the
// bands of output rows (multi-row jobs of stride 1 with few live columns): the campaign's
// stuck-at columns of every image, some images' columns, group hints. Every stuck-at
// site and kind (accumulator stuck-ats take the chunks), 1-3 faults, every float format,
// shapes of one and several blocks and bands, on both presets.
TEST(ArrayConvRegion, RegionsWithoutFlipsEqualTheWholeJobUnderStuckAtsOfEverySite) {
  const ConvShape shapes[] = {
      {3, 1, 28, 28, 6, 5, 5, 1, 0},    // LeNet-5's conv1: one row, by planes
      {3, 6, 12, 12, 16, 5, 5, 1, 0},   // LeNet-5's conv2: one band of 8 rows
      {2, 5, 9, 9, 12, 3, 3, 1, 1},     // padded
      {2, 3, 20, 20, 10, 3, 3, 1, 1},   // bands of 4 rows and a last one of 2
      {2, 20, 8, 8, 9, 3, 3, 1, 1},     // several blocks
      {2, 1, 10, 10, 20, 3, 3, 1, 1},   // one row, several groups
  };
  const DataType formats[] = {DataType::fp32, DataType::fp16, DataType::bf16};
  int planes_checked = 0, cases = 0;
  for (const ConvShape& shape : shapes)
    for (const DataType format : formats)
      for (int site = 0; site < 5; ++site, ++cases) {
        Rng rng(0xba4d + static_cast<std::uint64_t>(cases));
        ArrayConfig a = preset(rng.below(4) == 0 ? "large" : "small");
        a.datatype = format;
        a.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
        ConvJob job;
        job.layer = "case";
        job.shape = shape;
        job.swizzle_seed = rng.next();
        std::vector<HardwareFault> faults;
        ConvRegion region;
        region.columns.assign(static_cast<std::size_t>(a.atomic_k), 0);
        region.images.assign(static_cast<std::size_t>(shape.n), 0);
        for (int i = 1 + static_cast<int>(rng.below(3)); i > 0; --i) {
          HardwareFault f;
          f.site = i == 1 ? static_cast<FaultSite>(site) : static_cast<FaultSite>(rng.below(4));
          f.kind = static_cast<FaultKind>(rng.below(2));
          f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
              f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c)));
          if (f.site == FaultSite::psum) f.row = 0;
          f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
          f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, format))));
          faults.push_back(f);
          region.columns[static_cast<std::size_t>(f.col)] = 1;
        }
        const Mapping mapping(shape, a, a.swizzle, job.swizzle_seed);
        if (rng.below(3) == 0) region.images = random_flags(rng, shape.n, 2);
        if (rng.below(3) == 0) region.image_columns = random_flags(rng, a.atomic_k, 2);
        if (rng.below(3) == 0) region.groups = random_flags(rng, mapping.groups(), 2);
        const PeFaults pe(a, faults);
        Rng values(rng.next());
        const Tensor in = random_tensor({shape.n, shape.c, shape.h, shape.w}, values);
        const Tensor w = random_tensor({shape.k, shape.c, shape.r, shape.s}, values);
        const Tensor whole = array_conv(job, a, mapping, pe, ErrorPattern(), in, w);
        Tensor out(whole.shape(), bits_float(kSentinel));
        array_conv_region(job, a, mapping, pe, ErrorPattern(), in, w, region, out);

        const long long PQ = static_cast<long long>(shape.p()) * shape.q();
        std::string what = "case " + std::to_string(cases) + " " + to_string(format);
        for (const HardwareFault& f : faults) what += " [" + describe(f) + "]";
        for (int n = 0; n < shape.n; ++n)
          for (int oc = 0; oc < shape.k; ++oc) {
            const int col = mapping.col_of(oc);
            const bool grouped = region.groups.empty() || region.groups[static_cast<std::size_t>(oc / a.atomic_k)];
            const bool selected = grouped && (region.columns[col] || (region.images[n] && (region.image_columns.empty() ||
                                                                                         region.image_columns[col])));
            planes_checked += selected;
            for (long long i = 0; i < PQ; ++i) {
              const std::size_t at = static_cast<std::size_t>((static_cast<long long>(n) * shape.k + oc) * PQ + i);
              if (selected)
                ASSERT_TRUE(same_bits(out[at], whole[at])) << what << " n " << n << " oc " << oc << " i " << i;
              else
                ASSERT_EQ(float_bits(out[at]), kSentinel) << what << " n " << n << " oc " << oc << " i " << i;
            }
          }
      }
  EXPECT_GT(planes_checked, 500);
}

// fp16 input masks read the words of their rows, idle ones too (word 0 through the
// mask): a row a band leaves idle reads no word an earlier job left there. Job A fills
// row 7's words with large inputs; in job B row 7 is idle, its PE's weight register
// stuck at 2.0 and its input bit 10 at 1: the leaf is 2.0 x 2^-14, not 2.0 x a large
// masked word.
TEST(ArrayConvRegion, IdleRowsOfABandReadWordZeroAfterABusyJob) {
  ArrayConfig a = preset("small");
  a.datatype = DataType::fp16;
  ConvRegion region;
  region.columns.assign(static_cast<std::size_t>(a.atomic_k), 0);
  region.columns[2] = 1;
  region.images = {0, 0};
  HardwareFault input;
  input.site = FaultSite::input, input.row = 7, input.col = 2, input.bit = 10, input.kind = FaultKind::stuck_at_1;
  HardwareFault weight = input;
  weight.site = FaultSite::weight, weight.bit = 14;
  Rng rng(11);
  for (const int c : {8, 6}) {  // A: every row busy; B: rows 6 and 7 idle
    ConvJob job;
    job.shape = ConvShape{2, c, 10, 10, 8, 3, 3, 1, 0};
    const Mapping m(job.shape, a, SwizzlePolicy::none, 0);
    const PeFaults faults(a, c == 8 ? std::vector<HardwareFault>{input} : std::vector<HardwareFault>{input, weight});
    const Tensor in = random_tensor({2, c, 10, 10}, rng, 20000.0f, 30000.0f);
    const Tensor w = random_tensor({8, c, 3, 3}, rng);
    const Tensor whole = array_conv(job, a, m, faults, ErrorPattern(), in, w);
    Tensor out(whole.shape(), bits_float(kSentinel));
    array_conv_region(job, a, m, faults, ErrorPattern(), in, w, region, out);
    ASSERT_EQ(m.col_of(2), 2);  // no swizzle: column 2 serves channel 2
    for (int n = 0; n < 2; ++n)
      for (std::size_t i = 0; i < 64; ++i) {
        const std::size_t at = (static_cast<std::size_t>(n) * 8 + 2) * 64 + i;
        ASSERT_TRUE(same_bits(out[at], whole[at])) << "c " << c << " n " << n << " i " << i;
      }
  }
}

// A job of one step (1x1, one block) outputs its psum register's masked sum itself: a
// NaN sum through a psum stuck-at-1 of bit 0 is 0x7fc00001, not the canonical NaN.
TEST(ArrayConvRegion, AOneStepRegionKeepsItsMaskedNaN) {
  const ArrayConfig a = preset("small");
  ConvJob job;
  job.shape = ConvShape{2, 5, 6, 6, 8, 1, 1, 1, 0};
  const Mapping m(job.shape, a, SwizzlePolicy::none, 0);
  HardwareFault psum;
  psum.site = FaultSite::psum, psum.col = 3, psum.bit = 0, psum.kind = FaultKind::stuck_at_1;
  const PeFaults faults(a, {psum});
  Rng rng(5);
  const Tensor in = random_tensor({2, 5, 6, 6}, rng, 1.0f, 2.0f);
  Tensor w = random_tensor({8, 5, 1, 1}, rng);
  for (int ic = 0; ic < 4; ++ic) w[static_cast<std::size_t>(3 * 5 + ic)] = ic < 2 ? 3e38f : -3e38f;  // +Inf + -Inf
  const Tensor whole = array_conv(job, a, m, faults, ErrorPattern(), in, w);
  ConvRegion region;
  region.columns = {0, 0, 0, 1, 0, 0, 0, 0};
  region.images = {0, 0};
  Tensor out(whole.shape(), bits_float(kSentinel));
  array_conv_region(job, a, m, faults, ErrorPattern(), in, w, region, out);
  for (int n = 0; n < 2; ++n)
    for (std::size_t i = 0; i < 36; ++i) {
      const std::size_t at = (static_cast<std::size_t>(n) * 8 + 3) * 36 + i;
      ASSERT_EQ(float_bits(whole[at]), 0x7fc00001u) << "n " << n << " i " << i;
      ASSERT_TRUE(same_bits(out[at], whole[at])) << "n " << n << " i " << i;
    }
}

// The planning tables of a thread's last few mappings are kept: jobs of many mappings
// in turn (the same shapes under other swizzles and seeds among them, more mappings than
// are kept) give the bits each gives on a thread of its own.
TEST(ArrayConvRegion, JobsOfManyMappingsInTurnEqualJobsOnThreadsOfTheirOwn) {
  const ArrayConfig a = preset("small");
  struct Case {
    ConvJob job;
    Mapping mapping;
    Tensor in, w;
  };
  std::vector<Case> jobs;
  Rng rng(0x7ab1e5);
  for (int i = 0; i < 12; ++i) {
    ConvJob job;
    job.shape = i % 3 == 0 ? ConvShape{3, 20, 1, 1, 12, 1, 1, 1, 0} : ConvShape{2, 3 + i, 6, 6, 9, 3, 3, 1, 1};
    job.swizzle_seed = rng.next();
    const auto policy = static_cast<SwizzlePolicy>(i % 4);
    Mapping mapping(job.shape, a, policy, job.swizzle_seed);
    const ConvShape& s = job.shape;
    jobs.push_back({job, mapping, random_tensor({s.n, s.c, s.h, s.w}, rng), random_tensor({s.k, s.c, s.r, s.s}, rng)});
  }
  HardwareFault f;
  f.site = FaultSite::weight, f.row = 2, f.col = 3, f.bit = 30, f.kind = FaultKind::stuck_at_1;
  const PeFaults faults(a, {f});
  const auto run = [&](const Case& c) { return array_conv(c.job, a, c.mapping, faults, ErrorPattern(), c.in, c.w); };
  std::vector<Tensor> own;
  for (const Case& c : jobs) std::thread([&] { own.push_back(run(c)); }).join();
  for (int round = 0; round < 3; ++round)
    for (std::size_t i = 0; i < jobs.size(); i += 1 + static_cast<std::size_t>(round == 1)) {
      const Tensor out = run(jobs[i]);
      for (std::size_t e = 0; e < out.size(); ++e)
        ASSERT_TRUE(same_bits(out[e], own[i][e])) << "round " << round << " job " << i << " element " << e;
    }
}

TEST(ArrayConvRegion, AnEmptyRegionWritesNothing) {
  const ArrayConfig a = preset("small");
  ConvJob job;
  job.shape = ConvShape{2, 3, 6, 6, 5, 3, 3, 1, 0};
  Rng rng(3);
  const Tensor in = random_tensor({2, 3, 6, 6}, rng), w = random_tensor({5, 3, 3, 3}, rng);
  Tensor out({2, 5, 4, 4}, bits_float(kSentinel));
  array_conv_region(job, a, Mapping(job.shape, a, a.swizzle, 0), PeFaults(), ErrorPattern(), in, w, ConvRegion(), out);
  for (std::size_t i = 0; i < out.size(); ++i) ASSERT_EQ(float_bits(out[i]), kSentinel);
}

TEST(ArrayConvRegion, MisSizedRegionOrOutputIsRejected) {
  const ArrayConfig a = preset("small");
  ConvJob job;
  job.shape = ConvShape{2, 3, 6, 6, 5, 3, 3, 1, 0};
  const Tensor in({2, 3, 6, 6}), w({5, 3, 3, 3});
  const Mapping m(job.shape, a, a.swizzle, 0);
  Tensor out({2, 5, 4, 4});
  ConvRegion bad;
  bad.images = {1, 0, 1};  // three images for a batch of two
  EXPECT_THROW(array_conv_region(job, a, m, PeFaults(), ErrorPattern(), in, w, bad, out), std::invalid_argument);
  Tensor wrong({2, 5, 4, 3});
  EXPECT_THROW(array_conv_region(job, a, m, PeFaults(), ErrorPattern(), in, w, ConvRegion(), wrong),
               std::invalid_argument);
}

}  // namespace
}  // namespace accsim
