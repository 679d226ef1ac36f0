#include "workloads/campaign/stuck_at_activity.h"

#include "arch/number_format.h"

namespace accsim {

namespace {

bool changes(const StuckMask& m, float v) { return m.apply(float_bits(v)) != float_bits(v); }

bool column_serves_a_channel(const Mapping& mapping, int col) {
  std::vector<int> cols;
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, cols);
    if (cols[static_cast<std::size_t>(col)] >= 0) return true;
  }
  return false;
}

// Whether input channel `ic` of an image whose input is the fault-free one holds a value
// the mask alters.
bool input_channel_changes(const StuckMask& mask, const LayerRun& job, int ic, const std::vector<char>& dirty) {
  const ConvShape& s = job.job.shape;
  const std::size_t plane = static_cast<std::size_t>(s.h) * static_cast<std::size_t>(s.w);
  for (int n = 0; n < s.n; ++n) {
    if (dirty[static_cast<std::size_t>(n)]) continue;  // recomputed anyway
    const float* x = job.input.data() + (static_cast<std::size_t>(n) * s.c + ic) * plane;
    for (std::size_t i = 0; i < plane; ++i)
      if (changes(mask, x[i])) return true;
  }
  return false;
}

// What an idle PE multiplies (input and weight registers holding +0, through their
// masks), through its product mask, differs from a healthy idle PE's +0: an idle PE
// whose product stays +0 adds the same leaf to its column's tree. The leaf is made as the
// kernels make it (FloatConv::idle_product: a NaN canonical before the product mask).
bool idle_product_changes(const PeFaults& faults, int row, int col) {
  const float x = faults.input(row, col).apply(0.0f), w = faults.weight(row, col).apply(0.0f);
  const StuckMask& pm = faults.product(row, col);
  return float_bits(pm.identity() ? x * w : pm.apply(canonical(x * w))) != 0u;
}

// A weight, input or product stuck-at on an fp32 array: whether the faulty PE, where it
// serves a channel, ever holds a value whose bits the mask alters (a product: whether it
// ever serves one), and where it is idle, whether its product leaves +0.
bool pe_value_changes(const HardwareFault& f, const PeFaults& faults, const LayerRun& job, const Tensor& weights,
                      const Mapping& mapping, const std::vector<char>& dirty) {
  const ConvShape& s = job.job.shape;
  const StuckMask& mask = f.site == FaultSite::weight ? faults.weight(f.row, f.col) : faults.input(f.row, f.col);
  std::vector<int> cols, rows;
  std::vector<char> seen(static_cast<std::size_t>(s.c), 0);
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, cols);
    const int oc = cols[static_cast<std::size_t>(f.col)];
    if (oc < 0) continue;  // an idle column's results never leave the array
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, rows);
      const int ic = rows[static_cast<std::size_t>(f.row)];
      if (ic < 0) {
        if (idle_product_changes(faults, f.row, f.col)) return true;
        continue;
      }
      if (f.site == FaultSite::product) return true;  // a busy PE's products are not looked at
      if (f.site == FaultSite::input && s.pad > 0 && changes(mask, 0.0f)) return true;  // the padding's 0
      if (f.site == FaultSite::weight) {
        const float* w = weights.data() + (static_cast<std::size_t>(oc) * s.c + ic) * s.r * s.s;
        for (int i = 0; i < s.r * s.s; ++i)
          if (changes(mask, w[i])) return true;
        continue;
      }
      if (seen[static_cast<std::size_t>(ic)]) continue;
      seen[static_cast<std::size_t>(ic)] = 1;
      if (input_channel_changes(mask, job, ic, dirty)) return true;
    }
  }
  return false;
}

}  // namespace

bool stuck_at_acts(const HardwareFault& f, const PeFaults& faults, const ArrayConfig& array, const LayerRun& job,
                   const Tensor& weights, const Mapping& mapping, const std::vector<char>& dirty) {
  if (!column_serves_a_channel(mapping, f.col)) return false;
  if (f.site == FaultSite::psum || f.site == FaultSite::accumulator) return true;
  if (array.datatype != DataType::fp32) return true;  // registers hold converted words
  return pe_value_changes(f, faults, job, weights, mapping, dirty);
}

}  // namespace accsim
