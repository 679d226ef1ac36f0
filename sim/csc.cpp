#include "sim/csc.h"

namespace accsim {

Csc::Csc(sc_core::sc_module_name name) : sc_module(name) {
  SC_THREAD(load_weights);
  set_stack_size(kProcessStackBytes);
}

void Csc::begin(const SimJob& job) {
  job_ = &job;
  sequencer_ = std::make_unique<Sequencer>(job.job.shape, job.array, job.mapping, job.operands);
  shadow_.assign(static_cast<std::size_t>(job.array.pes()), 0u);
  weight_load_cycles_ = 0;
}

void Csc::load_weights() {
  for (;;) {
    from_cdma.read();
    const Schedule& sched = job_->schedule;
    for (long long j = 0; j < sched.stripes(); ++j) {
      if (j > 0) shadow_free.read();
      const Stripe st = sched.stripe(j);
      sequencer_->load_weights(st, shadow_.data());
      const long long rows = job_->mapping.rows_used(st.block), cols = job_->mapping.cols_used(st.group);
      cbuf->read_weights(rows * cols * job_->bytes_per_element());
      const int load = sched.load_cycles(st.group, st.block);
      weight_load_cycles_ += load;
      sc_core::wait(job_->cycles(load));
      shadow_full.write(j);
    }
  }
}

void Csc::select_data(const Stripe& st) {
  sequencer_->select_data(st);
  cbuf->read_data(static_cast<long long>(st.length) * job_->mapping.rows_used(st.block) * job_->bytes_per_element());
}

}  // namespace accsim
