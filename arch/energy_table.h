#pragma once
// Energy per access: the table an energy estimate multiplies the timing's counts by
// (MACs, weight-register reads, CBUF bytes, DRAM bytes). Defaults: 45 nm, 0.9 V, from
// Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014, with
// the register read from the ratios of Chen et al., "Eyeriss: a spatial architecture for
// energy-efficient dataflow for convolutional neural networks", ISCA 2016. Every value,
// its source and its scaling: docs/cycle_model.md, "Energy". The optional "energy" object
// of the "array" block overrides any of them (parsed once into ArrayConfig::energy).
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "arch/number_format.h"

namespace accsim {

struct JobTiming;

struct EnergyTable {
  double mac_fp32_pj = 4.6;        // fp32 multiply 3.7 + add 0.9
  double mac_fp16_pj = 1.5;        // fp16 multiply 1.1 + add 0.4
  double mac_bf16_pj = 0.98;       // fp16's multiply scaled by mantissa width squared (8/11)^2, + add 0.4
  double mac_int8_pj = 0.3;        // int8 multiply 0.2 + 32-bit accumulate 0.1
  double register_pj = 1.5;        // one weight-register read: Eyeriss's RF = 1x a 16-bit MAC
  double cbuf_pj_per_byte = 2.5;   // 32 KB SRAM, 20 pJ per 64-bit read
  double dram_pj_per_byte = 162.5; // DRAM, 1.3 nJ per 64-bit access (the low end of 1.3-2.6 nJ)

  double mac_pj(DataType t) const;
};

// A job's or a layer's estimate, in picojoules.
struct EnergyEstimate {
  double mac_pj = 0, register_pj = 0, cbuf_pj = 0, dram_pj = 0;
  double total_pj() const { return mac_pj + register_pj + cbuf_pj + dram_pj; }
  EnergyEstimate& operator+=(const EnergyEstimate& o);
};

// The counts an estimate is made of (JobTiming's, summed over jobs when it is a layer's).
struct EnergyCounts {
  long long macs = 0;            // useful MACs; each reads one weight register
  long long cbuf_bytes = 0;      // CBUF bytes read + written
  long long dram_bytes = 0;      // DRAM bytes read + written
};

EnergyCounts energy_counts(const JobTiming& t);
EnergyEstimate estimate_energy(const EnergyCounts& counts, DataType datatype, const EnergyTable& table);

// Parses the "energy" object: absent keys keep the default; each value in [0, 1e6] pJ.
EnergyTable parse_energy_table(ConfigReader reader);

// The run's total energy as text with its unit: "123.4 pJ", "5.67 nJ", "8.9 uJ", "1.2 mJ".
std::string energy_text(double pj);

}  // namespace accsim
