#include "workloads/io/fault_columns.h"

#include <cstdint>

namespace accsim {

void write_fault_columns(ResultsFile& h5, const std::string& group, const std::vector<const HardwareFault*>& faults) {
  std::vector<std::string> site, kind;
  std::vector<std::int64_t> row, col, bit, cycle;
  for (const HardwareFault* f : faults) {
    site.push_back(to_string(f->site));
    kind.push_back(to_string(f->kind));
    row.push_back(f->row);
    col.push_back(f->col);
    bit.push_back(f->bit);
    cycle.push_back(f->cycle);
  }
  h5.write_strings(group + "/site", site);
  h5.write_strings(group + "/kind", kind);
  h5.write_int64s(group + "/row", row);
  h5.write_int64s(group + "/col", col);
  h5.write_int64s(group + "/bit", bit);
  h5.write_int64s(group + "/cycle", cycle);
  h5.set_attribute(group + "/cycle", "units", std::string("cycles"));
}

}  // namespace accsim
