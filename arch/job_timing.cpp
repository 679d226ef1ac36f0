#include "arch/job_timing.h"

#include <algorithm>

#include "arch/memory_timing.h"

namespace accsim {

namespace {
long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }
}  // namespace

void add_memory_side(JobTiming& t, const ConvShape& sh, const ArrayConfig& a, const PdpWindow& pool) {
  const MemoryTraffic traffic = memory_traffic(sh, a, pool);
  const MemoryTail tail = memory_tail(sh, a, t.atomic_ops + t.data_fetch_stall_cycles + t.stall_cycles, pool);
  t.dram_stall_cycles = memory_prologue_cycles(sh, a) + tail.dram_excess;
  t.postprocess_cycles = tail.postprocess;
  t.pdp_cycles = tail.pdp;
  t.dram_read_bytes = traffic.dram_read_bytes;
  t.dram_write_bytes = traffic.dram_write_bytes;
  t.cbuf_read_bytes = traffic.cbuf_read_bytes;
  t.cbuf_write_bytes = traffic.cbuf_write_bytes;
}

JobTiming closed_form_timing(const ConvJob& job, const ArrayConfig& a) {
  return closed_form_timing(job.shape, a, job.pool);
}

JobTiming closed_form_timing(const ConvShape& sh, const ArrayConfig& a, const PdpWindow& pool) {
  const long long M = sh.pixels(), RS = static_cast<long long>(sh.r) * sh.s;
  const long long G = ceil_div(sh.k, a.atomic_k), B = ceil_div(sh.c, a.atomic_c), T = ceil_div(M, a.stripe_length);
  const long long L = a.stripe_length, L_last = M - (T - 1) * L;  // every tile but the last is full
  const long long k = cycles_per_atomic_op(a);  // a stripe of l operations lasts k * l cycles
  auto stall = [k](long long load, long long previous_stripe) { return std::max(0LL, load - k * previous_stripe); };
  auto load = [&](long long g, long long b) {
    long long rows = std::min<long long>(a.atomic_c, sh.c - b * a.atomic_c);
    long long cols = std::min<long long>(a.atomic_k, sh.k - g * a.atomic_k);
    return ceil_div(rows * cols * bytes_per_element(a.datatype), a.weight_load_bytes_per_cycle);
  };
  // A stripe's weights load while the previous stripe computes; the array stalls for
  // the part of the load that the previous stripe does not hide.
  // over all tiles of one (g, b), the stall of stripes whose predecessor lies in the same tile:
  auto stalls_over_tiles = [&](long long w) { return (T - 1) * stall(w, L) + stall(w, L_last); };
  long long stalls = load(0, 0);  // the very first load is not hidden
  long long loads = 0;
  for (long long g = 0; g < G; ++g) {
    for (long long b = 0; b < B; ++b) {
      const long long w = load(g, b);
      loads += T * RS * w;
      stalls += (RS - 1) * stalls_over_tiles(w);  // within a block: same tile
      if (b > 0) {
        stalls += stalls_over_tiles(w);  // entering block b: predecessor is block b-1 of the same tile
      } else {
        stalls += (T - 1) * stall(w, L);           // entering tile t > 0: predecessor is the full tile t-1
        if (g > 0) stalls += stall(w, L_last);     // entering group g: predecessor is group g-1's last tile
      }
    }
  }
  JobTiming t;
  t.atomic_ops = G * B * RS * M;
  t.stall_cycles = stalls;
  t.weight_load_cycles = loads;
  t.stripes = G * T * B * RS;
  t.data_fetch_stall_cycles = (k - 1) * t.atomic_ops;
  add_memory_side(t, sh, a, pool);
  t.cycles = t.atomic_ops + t.stall_cycles + t.data_fetch_stall_cycles + t.dram_stall_cycles + t.postprocess_cycles +
             a.mac_pipeline_depth;
  t.macs = sh.macs();
  t.utilisation = static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * a.pes());
  return t;
}

}  // namespace accsim
