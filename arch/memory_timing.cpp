#include "arch/memory_timing.h"

#include <algorithm>

#include "arch/cbuf_allocation.h"
#include "arch/dram_channel.h"

namespace accsim {

namespace {
long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }
}  // namespace

int cycles_per_atomic_op(const ArrayConfig& a) {
  if (!a.memory.enabled) return 1;
  return static_cast<int>(ceil_div(static_cast<long long>(a.atomic_c) * bytes_per_element(a.datatype),
                                   a.memory.cbuf_read_bytes_per_cycle));
}

long long pooled_results(const ConvShape& sh, const PdpWindow& pool) {
  return static_cast<long long>(sh.n) * sh.k * pool.out_h * pool.out_w;
}

MemoryTraffic memory_traffic(const ConvShape& sh, const ArrayConfig& a, const PdpWindow& pool) {
  MemoryTraffic t;
  if (!a.memory.enabled) return t;
  const CbufAllocation alloc = allocate_cbuf(sh, a);
  const long long bpe = bytes_per_element(a.datatype), rs = static_cast<long long>(sh.r) * sh.s;
  const long long input = static_cast<long long>(sh.n) * sh.c * sh.h * sh.w * bpe;
  const long long weights = static_cast<long long>(sh.k) * sh.c * rs * bpe;
  const long long groups = ceil_div(sh.k, a.atomic_k), tiles = ceil_div(sh.pixels(), a.stripe_length);
  t.dram_data_read_bytes = input;
  t.dram_weight_read_bytes = weights * alloc.weight_passes;
  t.dram_read_bytes = t.dram_data_read_bytes + t.dram_weight_read_bytes;
  t.dram_write_bytes = (pool.enabled() ? pooled_results(sh, pool) : sh.pixels() * sh.k) * bpe;
  t.cbuf_write_bytes = t.dram_read_bytes;
  t.cbuf_data_read_bytes = groups * rs * sh.pixels() * sh.c * bpe;
  t.cbuf_weight_read_bytes = tiles * weights;
  t.cbuf_read_bytes = t.cbuf_data_read_bytes + t.cbuf_weight_read_bytes;
  const long long first_kernels = std::min(sh.k, a.atomic_k);
  const long long first_weights = alloc.weights == WeightResidency::streamed
                                      ? std::min(sh.c, a.atomic_c) * first_kernels * bpe
                                      : first_kernels * sh.c * rs * bpe;
  const long long first_rows = std::min<long long>(sh.h, std::max(1, sh.r - sh.pad));
  t.first_fetch_bytes = first_weights + first_rows * sh.c * sh.w * bpe;
  return t;
}

long long memory_prologue_cycles(const ConvShape& sh, const ArrayConfig& a) {
  if (!a.memory.enabled) return 0;
  return a.memory.dram_latency_cycles + dram_transfer_cycles(memory_traffic(sh, a).first_fetch_bytes, a.memory);
}

long long postprocessor_tail(long long last, long long all, long long core, long long elements_per_cycle) {
  return std::max(ceil_div(last, elements_per_cycle), ceil_div(all, elements_per_cycle) - core);
}

MemoryTail memory_tail(const ConvShape& sh, const ArrayConfig& a, long long core, const PdpWindow& pool) {
  MemoryTail tail;
  if (!a.memory.enabled) return tail;
  const MemoryTraffic t = memory_traffic(sh, a, pool);
  const long long rest = t.dram_read_bytes + t.dram_write_bytes - t.first_fetch_bytes;
  tail.dram_excess = std::max(0LL, dram_transfer_cycles(rest, a.memory) - core);
  const long long tiles = ceil_div(sh.pixels(), a.stripe_length);
  const long long last_tile = sh.pixels() - (tiles - 1) * a.stripe_length;
  const long long last_cols = sh.k - (ceil_div(sh.k, a.atomic_k) - 1) * a.atomic_k;
  auto unit_tail = [&](long long rate) { return postprocessor_tail(last_tile * last_cols, sh.pixels() * sh.k, core, rate); };
  const long long sdp_tail = unit_tail(a.memory.sdp_elements_per_cycle);
  tail.postprocess = pool.enabled() ? std::max(sdp_tail, unit_tail(a.memory.pdp_elements_per_cycle)) : sdp_tail;
  tail.pdp = tail.postprocess - sdp_tail;
  return tail;
}

}  // namespace accsim
