#include "faultmodels/parameter_injection.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "arch/number_format.h"
#include "arch/sampling.h"

namespace accsim {

namespace {

// The burst start positions of a word: b such that b, b+1, ..., b+len-1 are all allowed.
std::vector<int> burst_starts(const ResolvedTarget& t, int len) {
  std::vector<int> starts;
  const std::uint64_t run = (std::uint64_t{1} << len) - 1;
  for (int b = 0; b + len <= 32; ++b)
    if (((t.bit_mask >> b) & run) == run) starts.push_back(b);
  return starts;
}

std::uint32_t burst_mask(int start, int len) {
  return static_cast<std::uint32_t>(((std::uint64_t{1} << len) - 1) << start);
}

// Applies XOR masks (or replacement values) to flat elements given in ascending order,
// one record per element.
class Writer {
 public:
  Writer(ParameterSet& set, const ResolvedTarget& t) : set_(set), t_(t) {}

  void xor_bits(std::uint64_t flat, std::uint32_t mask) {
    float* p = locate(flat);
    const std::uint32_t old = float_bits(*p), now = old ^ mask;
    *p = bits_float(now);
    record(flat, old, now);
  }
  void replace(std::uint64_t flat, float value) {
    float* p = locate(flat);
    const std::uint32_t old = float_bits(*p), now = float_bits(value);
    *p = value;
    record(flat, old, now);
  }
  Injection take() { return std::move(inj_); }

 private:
  float* locate(std::uint64_t flat) {
    // Ascending input: advance the cursor (amortised O(1)); otherwise binary search.
    if (flat < t_.offsets[cursor_]) cursor_ = t_.tensor_of(flat);
    while (flat >= t_.offsets[cursor_ + 1]) ++cursor_;
    tensor_ = static_cast<std::uint32_t>(t_.tensors[cursor_]);
    element_ = flat - t_.offsets[cursor_];
    return set_.tensors()[tensor_].data + element_;
  }
  void record(std::uint64_t flat, std::uint32_t old, std::uint32_t now) {
    if (have_last_ && flat == last_flat_) {  // a second hit on the same word merges
      inj_.flips.back().new_bits = now;
      return;
    }
    inj_.flips.push_back({tensor_, element_, old, now});
    have_last_ = true;
    last_flat_ = flat;
  }

  ParameterSet& set_;
  const ResolvedTarget& t_;
  Injection inj_;
  std::size_t cursor_ = 0;
  std::uint32_t tensor_ = 0;
  std::uint64_t element_ = 0;
  bool have_last_ = false;
  std::uint64_t last_flat_ = 0;
};

// `count` distinct values of [0, n), ascending (Floyd's algorithm: uniform over subsets).
std::vector<std::uint64_t> distinct_sample(Rng& rng, std::uint64_t n, std::uint64_t count) {
  std::unordered_set<std::uint64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(count) * 2);
  for (std::uint64_t j = n - count; j < n; ++j) {
    const std::uint64_t t = uniform_below(rng, j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  std::vector<std::uint64_t> out(chosen.begin(), chosen.end());
  std::sort(out.begin(), out.end());
  return out;
}

void inject_bit_positions(Writer& w, const ResolvedTarget& t, const std::vector<std::uint64_t>& sorted_positions) {
  const std::uint64_t k = t.bits.size();
  for (std::uint64_t pos : sorted_positions) w.xor_bits(pos / k, 1u << t.bits[pos % k]);
}

void inject_ber(Writer& w, const ResolvedTarget& t, double p, Rng& rng) {
  const GeometricSkip skip(p);
  const std::uint64_t total = t.bit_count(), k = t.bits.size();
  std::uint64_t next = 0;  // the first position not yet decided
  for (;;) {
    const std::uint64_t gap = skip(rng);
    if (gap >= total - next) break;
    const std::uint64_t pos = next + gap;
    w.xor_bits(pos / k, 1u << t.bits[pos % k]);
    next = pos + 1;
    if (next == total) break;
  }
}

void inject_mbbf(Writer& w, const ResolvedTarget& t, const ParameterFaultModel& m, Rng& rng) {
  const std::vector<int> starts = burst_starts(t, m.burst_length);
  const std::uint64_t positions = t.elements() * starts.size();
  std::unordered_map<std::uint64_t, std::uint32_t> used;  // element -> bits already burst
  used.reserve(static_cast<std::size_t>(m.count) * 2);
  for (std::uint64_t placed = 0; placed < m.count;) {
    const std::uint64_t pos = uniform_below(rng, positions);
    const std::uint64_t e = pos / starts.size();
    const std::uint32_t mask = burst_mask(starts[pos % starts.size()], m.burst_length);
    const auto it = used.find(e);
    if (it != used.end() && (it->second & mask)) continue;  // overlaps an earlier burst: draw again
    used[e] |= mask;
    ++placed;
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> sorted(used.begin(), used.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [e, mask] : sorted) w.xor_bits(e, mask);
}

void inject_values(Writer& w, const ResolvedTarget& t, const ParameterFaultModel& m, Rng& rng) {
  const auto draw = [&] {
    return static_cast<float>(m.value_lo + (static_cast<double>(m.value_hi) - m.value_lo) * uniform_double01(rng));
  };
  const std::uint64_t n = t.elements();
  if (m.rate > 0.0) {
    const GeometricSkip skip(m.rate);
    std::uint64_t next = 0;
    for (;;) {
      const std::uint64_t gap = skip(rng);
      if (gap >= n - next) break;
      const std::uint64_t e = next + gap;
      w.replace(e, draw());
      next = e + 1;
      if (next == n) break;
    }
  } else {
    for (std::uint64_t e : distinct_sample(rng, n, m.count)) w.replace(e, draw());
  }
}

}  // namespace

float ParameterFlip::old_value() const { return bits_float(old_bits); }
float ParameterFlip::new_value() const { return bits_float(new_bits); }

std::vector<int> ParameterFlip::bits() const {
  std::vector<int> out;
  for (int b = 0; b < 32; ++b)
    if ((mask() >> b) & 1u) out.push_back(b);
  return out;
}

std::uint64_t Injection::bit_flips() const {
  std::uint64_t n = 0;
  for (const auto& f : flips) n += static_cast<std::uint64_t>(__builtin_popcount(f.mask()));
  return n;
}

void Injection::undo(ParameterSet& set) const {
  for (auto it = flips.rbegin(); it != flips.rend(); ++it)
    set.tensors()[it->tensor].data[it->element] = bits_float(it->old_bits);
}

void Injection::apply(ParameterSet& set) const {
  for (const ParameterFlip& f : flips) set.tensors()[f.tensor].data[f.element] = bits_float(f.new_bits);
}

void check_model_fits(const ParameterFaultModel& m, const ResolvedTarget& t) {
  m.validate();
  if (t.elements() == 0 || t.bits.empty()) throw std::invalid_argument("the target holds no bits");
  switch (m.kind) {
    case ParameterFaultKind::sbf:
    case ParameterFaultKind::ber: break;
    case ParameterFaultKind::mbf:
      if (m.count > t.bit_count())
        throw std::invalid_argument("mbf: count " + std::to_string(m.count) + " exceeds the target's " +
                                    std::to_string(t.bit_count()) + " bits");
      break;
    case ParameterFaultKind::mbbf: {
      const std::uint64_t positions = t.elements() * burst_starts(t, m.burst_length).size();
      if (positions == 0)
        throw std::invalid_argument("mbbf: no " + std::to_string(m.burst_length) +
                                    " consecutive allowed bits in a word (check bits)");
      const std::uint64_t limit = positions / (2 * static_cast<std::uint64_t>(m.burst_length));
      if (m.count > limit)
        throw std::invalid_argument("mbbf: count " + std::to_string(m.count) + " exceeds " + std::to_string(limit) +
                                    ", 1/" + std::to_string(2 * m.burst_length) + " of the target's " +
                                    std::to_string(positions) + " burst positions");
      break;
    }
    case ParameterFaultKind::value:
      if (t.bits.size() != 32)
        throw std::invalid_argument("value errors replace whole words: bits cannot be restricted");
      if (m.rate == 0.0 && m.count > t.elements())
        throw std::invalid_argument("value: count " + std::to_string(m.count) + " exceeds the target's " +
                                    std::to_string(t.elements()) + " elements");
      break;
  }
}

Injection inject(ParameterSet& set, const ResolvedTarget& t, const ParameterFaultModel& m, Rng& rng) {
  check_model_fits(m, t);
  Writer w(set, t);
  switch (m.kind) {
    case ParameterFaultKind::sbf: {
      const std::uint64_t pos = uniform_below(rng, t.bit_count());
      inject_bit_positions(w, t, {pos});
      break;
    }
    case ParameterFaultKind::mbf: inject_bit_positions(w, t, distinct_sample(rng, t.bit_count(), m.count)); break;
    case ParameterFaultKind::mbbf: inject_mbbf(w, t, m, rng); break;
    case ParameterFaultKind::ber: inject_ber(w, t, m.rate, rng); break;
    case ParameterFaultKind::value: inject_values(w, t, m, rng); break;
  }
  return w.take();
}

Injection inject(ParameterSet& set, const ResolvedTarget& t, const ParameterFaultModel& m, std::uint64_t seed) {
  Rng rng(splitmix64(seed));
  return inject(set, t, m, rng);
}

std::string describe(const ParameterFlip& f, const ParameterSet& set) {
  std::string bits;
  for (int b : f.bits()) bits += (bits.empty() ? "" : ",") + std::to_string(b);
  char buf[96];
  std::snprintf(buf, sizeof buf, ": %.6g -> %.6g", static_cast<double>(f.old_value()),
                static_cast<double>(f.new_value()));
  return set[f.tensor].name + "[" + std::to_string(f.element) + "] bits " + (bits.empty() ? "none" : bits) + buf;
}

}  // namespace accsim
