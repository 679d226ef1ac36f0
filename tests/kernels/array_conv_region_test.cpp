// array_conv_region computes exactly the planes a ConvRegion selects, bit-identical to
// the whole job, and leaves every other element of the output alone.
#include <gtest/gtest.h>

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
