#include "sim/conv_core.h"

#include <stdexcept>

namespace accsim {

ConvCore& ConvCore::instance() {
  // Created once and never destroyed: the SystemC kernel owns modules until exit.
  static ConvCore* core = new ConvCore("conv_core");
  return *core;
}

ConvCore::ConvCore(sc_core::sc_module_name name)
    : sc_module(name),
      dram_("dram"),
      cbuf_("cbuf"),
      cdma_("cdma"),
      csc_("csc"),
      cmac_("cmac"),
      cacc_("cacc"),
      sdp_("sdp"),
      pdp_("pdp"),
      fetched_csc_("fetched_csc", 1),
      fetched_cmac_("fetched_cmac", 1),
      fetched_sdp_("fetched_sdp", 1),
      shadow_full_("shadow_full", 1),
      shadow_free_("shadow_free", 1),
      tiles_("tiles", 2),
      sdp_out_("sdp_out", 2) {
  cdma_.dram(dram_), cdma_.cbuf(cbuf_);
  cdma_.to_csc(fetched_csc_), cdma_.to_cmac(fetched_cmac_), cdma_.to_sdp(fetched_sdp_);
  csc_.cbuf(cbuf_), csc_.from_cdma(fetched_csc_), csc_.shadow_free(shadow_free_), csc_.shadow_full(shadow_full_);
  cmac_.csc(csc_), cmac_.cacc(cacc_), cmac_.from_cdma(fetched_cmac_);
  cmac_.shadow_full(shadow_full_), cmac_.shadow_free(shadow_free_);
  cacc_.to_sdp(tiles_);
  sdp_.dram(dram_), sdp_.from_cdma(fetched_sdp_), sdp_.from_cacc(tiles_), sdp_.to_pdp(sdp_out_);
  pdp_.dram(dram_), pdp_.from_sdp(sdp_out_);
}

JobTiming ConvCore::timing(const SimJob& job) const {
  JobTiming t;
  const Cmac::Stats& c = cmac_.stats();
  t.cycles = job.cycles_of(sc_core::sc_time_stamp() - job.began);
  t.atomic_ops = c.atomic_ops;
  t.stall_cycles = c.stall_cycles;
  t.data_fetch_stall_cycles = c.data_fetch_stall_cycles;
  t.weight_load_cycles = csc_.weight_load_cycles();
  t.dram_stall_cycles = cdma_.prologue_cycles() + pdp_.stats().dram_excess;
  t.postprocess_cycles = pdp_.stats().postprocess;
  t.pdp_cycles = pdp_.stats().pdp;
  t.stripes = c.stripes;
  t.macs = job.job.shape.macs();
  if (job.array.memory.enabled) {
    t.dram_read_bytes = dram_.read_bytes(), t.dram_write_bytes = dram_.write_bytes();
    t.cbuf_read_bytes = cbuf_.read_bytes(), t.cbuf_write_bytes = cbuf_.write_bytes();
  }
  t.utilisation = static_cast<double>(t.macs) / (static_cast<double>(t.cycles) * job.array.pes());
  return t;
}

JobResult ConvCore::run(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                        const ArrayOperands& operands, long long start_cycle) {
  check_job_operands(job, operands);
  if (operands.datatype != array.datatype)
    throw std::invalid_argument(job.layer + ": operands in " + to_string(operands.datatype) + " on a " +
                                to_string(array.datatype) + " array");
  const SimJob sim_job(job, array, faults, operands, start_cycle);
  cbuf_.begin(sim_job);  // first: the allocation throws InputError when the job does not fit
  dram_.begin(sim_job), cdma_.begin(sim_job, cbuf_.allocation());
  csc_.begin(sim_job), cmac_.begin(sim_job), cacc_.begin(sim_job), sdp_.begin(sim_job), pdp_.begin(sim_job);
  cdma_.start.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  if (!pdp_.stats().done) throw std::logic_error("conv core: simulation stopped before the job ended");
  return JobResult{sdp_.take_output(), timing(sim_job)};
}

}  // namespace accsim
