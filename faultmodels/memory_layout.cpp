#include "faultmodels/memory_layout.h"

#include <stdexcept>

namespace accsim {

namespace {

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// The packing of one input row's channels (cbuf_allocation's entries_per_row).
struct RowPacking {
  long long atom = 0, atoms_per_entry = 0, full_surfaces = 0, last = 0, entries = 0;
};

RowPacking row_packing(const ConvShape& sh, const MemoryConfig& m, int bpe) {
  RowPacking p;
  p.atom = m.memory_atomic_bytes;
  p.atoms_per_entry = m.cbuf_entry_bytes / m.memory_atomic_bytes;
  const long long c_atoms = ceil_div(static_cast<long long>(sh.c) * bpe, p.atom);
  p.full_surfaces = c_atoms / p.atoms_per_entry;
  p.last = c_atoms % p.atoms_per_entry;
  const long long frac = p.last == 3 ? sh.w : ceil_div(p.last * sh.w, p.atoms_per_entry);
  p.entries = p.full_surfaces * sh.w + frac;
  return p;
}

void add_element(std::vector<std::vector<HeldElement>>& words, long long address, int bpe, Operand operand,
                 long long element, int job) {
  if (address % bpe != 0) throw std::invalid_argument("memory layout: an element straddles two words");
  words.at(static_cast<std::size_t>(address / kWordBytes))
      .push_back({operand, element, static_cast<int>(address % kWordBytes) * 8, job});
}

}  // namespace

long long cbuf_input_address(const ConvShape& sh, const MemoryConfig& m, int bpe, int n, int c, int h, int w) {
  const RowPacking p = row_packing(sh, m, bpe);
  const long long byte = static_cast<long long>(c) * bpe, atom = byte / p.atom, in_atom = byte % p.atom;
  const long long row = (static_cast<long long>(n) * sh.h + h) * p.entries;
  const long long surface = atom / p.atoms_per_entry, a = atom % p.atoms_per_entry;
  if (surface < p.full_surfaces) return (row + surface * sh.w + w) * m.cbuf_entry_bytes + a * p.atom + in_atom;
  const long long partial = row + p.full_surfaces * sh.w;
  if (p.last == 3) return (partial + w) * m.cbuf_entry_bytes + a * p.atom + in_atom;
  const long long linear = static_cast<long long>(w) * p.last + a;
  return (partial + linear / p.atoms_per_entry) * m.cbuf_entry_bytes + (linear % p.atoms_per_entry) * p.atom + in_atom;
}

long long cbuf_weight_address(const ConvShape& sh, const MemoryConfig& m, const CbufAllocation& alloc, int bpe, int k,
                              int c, int r, int s) {
  const long long base = static_cast<long long>(m.cbuf_banks - alloc.weight_banks) * m.bank_bytes();
  return base + (((static_cast<long long>(k) * sh.r + r) * sh.s + s) * sh.c + c) * bpe;
}

std::vector<std::vector<HeldElement>> cbuf_word_contents(const ConvShape& sh, const ArrayConfig& array) {
  const MemoryConfig& m = array.memory;
  const int bpe = bytes_per_element(array.datatype);
  const CbufAllocation alloc = allocate_cbuf(sh, array);
  std::vector<std::vector<HeldElement>> words(static_cast<std::size_t>(m.cbuf_bytes() / kWordBytes));
  const long long data_end = static_cast<long long>(alloc.data_banks) * m.bank_bytes();
  long long e = 0;
  for (int n = 0; n < sh.n; ++n)
    for (int c = 0; c < sh.c; ++c)
      for (int h = 0; h < sh.h; ++h)
        for (int w = 0; w < sh.w; ++w, ++e) {
          const long long a = cbuf_input_address(sh, m, bpe, n, c, h, w);
          if (a < data_end) add_element(words, a, bpe, Operand::input, e, 0);  // later chunks: not resident
        }
  const long long weight_end = static_cast<long long>(m.cbuf_banks) * m.bank_bytes();
  e = 0;
  for (int k = 0; k < sh.k; ++k)
    for (int c = 0; c < sh.c; ++c)
      for (int r = 0; r < sh.r; ++r)
        for (int s = 0; s < sh.s; ++s, ++e) {
          const long long a = cbuf_weight_address(sh, m, alloc, bpe, k, c, r, s);
          if (a < weight_end) add_element(words, a, bpe, Operand::weights, e, 0);  // later kernels: not resident
        }
  return words;
}

void add_dram_job(const ConvShape& sh, int bpe, int job, std::vector<std::vector<HeldElement>>& words) {
  const long long weights = static_cast<long long>(sh.k) * sh.c * sh.r * sh.s;
  const long long inputs = static_cast<long long>(sh.n) * sh.c * sh.h * sh.w;
  for (const auto& [operand, count] : {std::pair{Operand::weights, weights}, std::pair{Operand::input, inputs}}) {
    const long long first = static_cast<long long>(words.size());
    words.resize(static_cast<std::size_t>(first + ceil_div(count * bpe, kWordBytes)));
    for (long long e = 0; e < count; ++e) add_element(words, first * kWordBytes + e * bpe, bpe, operand, e, job);
  }
}

}  // namespace accsim
