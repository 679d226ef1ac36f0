#include "workloads/mitigations/variant_baseline.h"

#include <stdexcept>

#include "arch/number_format.h"

namespace accsim {

CheckKind check_kind(MitigationCheck check) {
  if (check == MitigationCheck::none) throw std::invalid_argument("check_kind: the variant has no check");
  return check == MitigationCheck::abft ? CheckKind::abft : CheckKind::duplicate;
}

VariantBaseline variant_baseline(const MitigationVariant& variant, const ArrayConfig& array) {
  VariantBaseline base;
  base.name = variant.name;
  base.description = variant.mitigations.describe();
  base.storage_overhead =
      static_cast<double>(variant.mitigations.protect_bits.size()) / static_cast<double>(bit_width(array.datatype));
  return base;
}

void add_fault_free_batches(VariantBaseline& base, const std::vector<long long>& cycles,
                            const std::vector<CheckStats>& stats) {
  if (cycles.size() != stats.size()) throw std::invalid_argument("add_fault_free_batches: one CheckStats per batch");
  long long check_base = 0, check_total = 0;
  for (std::size_t b = 0; b < cycles.size(); ++b) {
    base.cycles += cycles[b];
    base.check_jobs += stats[b].jobs;
    base.check_detections += stats[b].detections;
    check_base += stats[b].base_cycles;
    check_total += stats[b].total_cycles;
  }
  base.check_overhead = check_base ? static_cast<double>(check_total) / static_cast<double>(check_base) - 1.0 : 0.0;
}

}  // namespace accsim
