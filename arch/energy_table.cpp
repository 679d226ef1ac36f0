#include "arch/energy_table.h"

#include <cstdio>

#include "arch/job_timing.h"

namespace accsim {

namespace {

struct Key {
  const char* name;
  double EnergyTable::*field;
};

// Every key and its member; each value is in [0, kMaxPj].
constexpr double kMaxPj = 1e6;
const std::vector<Key>& keys() {
  static const std::vector<Key> k{
      {"mac_fp32_pj", &EnergyTable::mac_fp32_pj},         {"mac_fp16_pj", &EnergyTable::mac_fp16_pj},
      {"mac_bf16_pj", &EnergyTable::mac_bf16_pj},         {"mac_int8_pj", &EnergyTable::mac_int8_pj},
      {"register_pj", &EnergyTable::register_pj},         {"cbuf_pj_per_byte", &EnergyTable::cbuf_pj_per_byte},
      {"dram_pj_per_byte", &EnergyTable::dram_pj_per_byte},
  };
  return k;
}

}  // namespace

double EnergyTable::mac_pj(DataType t) const {
  static const double EnergyTable::*const by_type[] = {&EnergyTable::mac_fp32_pj, &EnergyTable::mac_fp16_pj,
                                                       &EnergyTable::mac_bf16_pj, &EnergyTable::mac_int8_pj};
  return this->*by_type[static_cast<int>(t)];
}

EnergyEstimate& EnergyEstimate::operator+=(const EnergyEstimate& o) {
  mac_pj += o.mac_pj, register_pj += o.register_pj, cbuf_pj += o.cbuf_pj, dram_pj += o.dram_pj;
  return *this;
}

EnergyCounts energy_counts(const JobTiming& t) {
  return {t.macs, t.cbuf_read_bytes + t.cbuf_write_bytes, t.dram_read_bytes + t.dram_write_bytes};
}

EnergyEstimate estimate_energy(const EnergyCounts& c, DataType datatype, const EnergyTable& table) {
  EnergyEstimate e;
  e.mac_pj = static_cast<double>(c.macs) * table.mac_pj(datatype);
  e.register_pj = static_cast<double>(c.macs) * table.register_pj;
  e.cbuf_pj = static_cast<double>(c.cbuf_bytes) * table.cbuf_pj_per_byte;
  e.dram_pj = static_cast<double>(c.dram_bytes) * table.dram_pj_per_byte;
  return e;
}

EnergyTable parse_energy_table(ConfigReader r) {
  EnergyTable t;
  for (const Key& k : keys()) t.*k.field = r.get_double(k.name, 0.0, kMaxPj, t.*k.field);
  r.finish();
  return t;
}

std::string energy_text(double pj) {
  static const char* const units[] = {"pJ", "nJ", "uJ", "mJ", "J"};
  int u = 0;
  while (pj >= 1000.0 && u < 4) pj /= 1000.0, ++u;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.4g %s", pj, units[u]);
  return buf;
}

}  // namespace accsim
