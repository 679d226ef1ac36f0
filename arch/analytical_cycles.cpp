#include "arch/analytical_cycles.h"

#include <algorithm>
#include <array>

#include "arch/number_format.h"

namespace accsim {

namespace {
long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }
long long exposed(long long fill, long long stripe) { return std::max(0LL, fill - stripe); }
}  // namespace

AnalyticalCycles analytical_cycles(const ConvShape& sh, const ArrayConfig& a) {
  sh.validate();
  const long long C = sh.c, K = sh.k, M = sh.pixels(), RS = static_cast<long long>(sh.r) * sh.s;
  const long long G = ceil_div(K, a.atomic_k), B = ceil_div(C, a.atomic_c);
  const long long L = a.stripe_length, T = ceil_div(M, L), L_last = M - (T - 1) * L;
  const long long last_rows = C - (B - 1) * a.atomic_c, last_cols = K - (G - 1) * a.atomic_k;
  const long long bytes = bytes_per_element(a.datatype);
  auto fill = [&](long long rows, long long cols) {
    return ceil_div(rows * cols * bytes, a.weight_load_bytes_per_cycle);
  };

  struct FoldClass {
    long long count, fill;
  };
  const std::array<FoldClass, 4> classes{{
      {(G - 1) * (B - 1), fill(a.atomic_c, a.atomic_k)},  // full block, full group
      {G - 1, fill(last_rows, a.atomic_k)},                // last block, full group
      {B - 1, fill(a.atomic_c, last_cols)},                // full block, last group
      {1, fill(last_rows, last_cols)},                     // last block, last group
  }};
  // Every stripe's load overlaps a predecessor taken to be as long as the stripe itself.
  auto not_hidden = [&](long long w) { return RS * ((T - 1) * exposed(w, L) + exposed(w, L_last)); };

  const long long first_fill = fill(std::min(C, static_cast<long long>(a.atomic_c)),
                                    std::min(K, static_cast<long long>(a.atomic_k)));
  const long long first_stripe = T > 1 ? L : L_last;
  long long stall = first_fill - exposed(first_fill, first_stripe);  // the first load is fully exposed
  for (const FoldClass& f : classes) stall += f.count * not_hidden(f.fill);

  AnalyticalCycles out;
  out.compute = G * B * RS * M;
  out.stall = stall;
  out.pipeline = a.mac_pipeline_depth;
  out.cycles = out.compute + out.stall + out.pipeline;
  return out;
}

}  // namespace accsim
