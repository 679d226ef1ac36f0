#include "arch/cbuf_allocation.h"

#include <algorithm>
#include <string>

#include "arch/input_error.h"

namespace accsim {

namespace {

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// calculateEPS, feature data, direct convolution: channels are packed into atoms of
// memory_atomic_bytes, atoms into entries; a partly filled last entry column takes a
// share of the width (the compiler's special case of 3 atoms included).
long long entries_per_row(const ConvShape& sh, const MemoryConfig& m, int bpe) {
  const long long atoms_per_entry = m.cbuf_entry_bytes / m.memory_atomic_bytes;
  const long long c_atoms = ceil_div(static_cast<long long>(sh.c) * bpe, m.memory_atomic_bytes);
  const long long last = c_atoms % atoms_per_entry;
  const long long whole = (c_atoms / atoms_per_entry) * sh.w;
  const long long frac = last == 3 ? sh.w : ceil_div(last * sh.w, atoms_per_entry);
  return whole + frac;
}

long long banks_for_kernels(const ConvShape& sh, const MemoryConfig& m, int bpe, long long kernels) {
  const long long bytes = static_cast<long long>(sh.c) * sh.r * sh.s * kernels * bpe;
  return ceil_div(ceil_div(bytes, m.cbuf_entry_bytes), m.cbuf_bank_entries);
}

// Modes 1-3: the whole input stays; the weights take what is left.
bool allocate_full_input(CbufAllocation& a, long long banks) {
  struct Option {
    WeightResidency residency;
    long long banks;
  };
  const Option options[] = {{WeightResidency::full, a.banks_for_weights},
                            {WeightResidency::ping_pong, 2 * a.min_banks_for_weights},
                            {WeightResidency::single_kernel_group, a.min_banks_for_weights}};
  for (const Option& o : options) {
    if (o.banks + a.banks_for_data > banks) continue;
    a.weights = o.residency;
    a.weight_banks = static_cast<int>(o.banks);
    a.data_banks = static_cast<int>(a.banks_for_data);
    return true;
  }
  return false;
}

// Mode 4: weights within half the banks (or streamed), the data in the rest.
void allocate_split(CbufAllocation& a, const ConvShape& sh, const ArrayConfig& arr) {
  const long long banks = arr.memory.cbuf_banks, half = banks / 2;
  struct Option {
    WeightResidency residency;
    long long banks;
  };
  const Option options[] = {{WeightResidency::full, a.banks_for_weights},
                            {WeightResidency::ping_pong, 2 * a.min_banks_for_weights},
                            {WeightResidency::single_kernel_group, a.min_banks_for_weights},
                            {WeightResidency::streamed, half}};
  for (const Option& o : options) {
    if (o.banks > half) continue;
    a.weights = o.residency;
    a.weight_banks = static_cast<int>(o.banks);
    break;
  }
  a.data_banks = static_cast<int>(banks - a.weight_banks);
  const long long entries = static_cast<long long>(a.data_banks) * arr.memory.cbuf_bank_entries;
  const long long image = a.entries_per_row * sh.h;
  if (image * sh.n <= entries) a.data_chunks = 1;
  else if (image <= entries) a.data_chunks = ceil_div(sh.n, entries / image);  // whole images per chunk
  else a.data_chunks = sh.n * partial_h_chunks(sh, entries / a.entries_per_row);
}

}  // namespace

const char* to_string(WeightResidency w) {
  static const char* const names[] = {"full", "ping_pong", "single_kernel_group", "streamed"};
  return names[static_cast<int>(w)];
}

long long partial_h_chunks(const ConvShape& sh, long long rows) {
  const long long P = sh.p();
  long long next = 0, chunks = 0;
  while (next < P) {
    const long long top = std::max(0LL, next * sh.stride - sh.pad);
    const long long bottom = std::min<long long>(sh.h - 1, top + rows - 1);
    // Output row p reads input rows p*stride - pad .. p*stride - pad + r - 1.
    const long long reach = bottom + sh.pad - sh.r + 1;
    const long long last = bottom == sh.h - 1 ? P - 1 : (reach < 0 ? -1 : reach / sh.stride);
    if (last < next)
      throw InputError("array.memory: the convolution buffer's data banks hold " + std::to_string(rows) +
                       " input rows of a " + std::to_string(sh.c) + "x" + std::to_string(sh.h) + "x" +
                       std::to_string(sh.w) + " input, fewer than one output row's " + std::to_string(sh.r) +
                       " (NVDLA's compiler rejects such a layer too); use more or larger CBUF banks");
    ++chunks;
    next = last + 1;
  }
  return chunks;
}

CbufAllocation allocate_cbuf(const ConvShape& sh, const ArrayConfig& arr) {
  const MemoryConfig& m = arr.memory;
  const int bpe = bytes_per_element(arr.datatype);
  CbufAllocation a;
  a.entries_per_row = entries_per_row(sh, m, bpe);
  a.banks_for_data = ceil_div(a.entries_per_row * sh.h * sh.n, m.cbuf_bank_entries);
  a.banks_for_weights = banks_for_kernels(sh, m, bpe, sh.k);
  a.min_banks_for_weights = banks_for_kernels(sh, m, bpe, std::min(sh.k, arr.atomic_k));
  if (!allocate_full_input(a, m.cbuf_banks)) allocate_split(a, sh, arr);
  const long long tiles = ceil_div(sh.pixels(), arr.stripe_length);
  if (a.weights == WeightResidency::streamed) a.weight_passes = tiles;
  else if (a.weights != WeightResidency::full) a.weight_passes = a.data_chunks;
  return a;
}

}  // namespace accsim
