#include "faultmodels/weight_footprint.h"

#include <algorithm>

namespace accsim {

std::vector<std::uint8_t> weight_footprint(const ConvShape& s, const Mapping& mapping,
                                           const std::vector<HardwareFault>& faults) {
  const long long RS = static_cast<long long>(s.r) * s.s;
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(s.k) * s.c * RS, 0);
  std::vector<HardwareFault> pe_faults;
  for (const auto& f : faults)
    if (f.permanent() && (f.site == FaultSite::weight || f.site == FaultSite::input || f.site == FaultSite::product))
      pe_faults.push_back(f);
  if (pe_faults.empty()) return mask;
  std::vector<int> rows, cols;
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, cols);
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, rows);
      for (const auto& f : pe_faults) {
        const int ic = rows[f.row], oc = cols[f.col];
        if (ic < 0 || oc < 0) continue;
        std::fill_n(mask.begin() + (static_cast<long long>(oc) * s.c + ic) * RS, RS, std::uint8_t{1});
      }
    }
  }
  return mask;
}

}  // namespace accsim
