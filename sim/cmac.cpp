#include "sim/cmac.h"

#include <algorithm>

namespace accsim {

Cmac::Cmac(sc_core::sc_module_name name) : sc_module(name) {
  SC_THREAD(compute);
  set_stack_size(kProcessStackBytes);
}

void Cmac::begin(const SimJob& job) {
  job_ = &job;
  pes_ = std::make_unique<PeArray>(job.array, job.faults);
  stats_ = {};
  next_transient_ = 0;
  cube_.assign(static_cast<std::size_t>(job.array.atomic_c), 0u);
  psum_.assign(static_cast<std::size_t>(job.array.atomic_k), 0u);
}

void Cmac::apply_storage_flips_before(long long cycle) {
  const auto& all = job_->faults.transients();
  const long long start = job_->start_cycle;
  while (next_transient_ < all.size() && all[next_transient_].cycle < start + cycle) {
    const auto& f = all[next_transient_++];
    if (f.cycle < start) continue;
    // Wires carry nothing while the array waits; storage keeps the flip.
    if (f.site == FaultSite::weight) pes_->flip_weight(f.row, f.col, f.mask);
    if (f.site == FaultSite::accumulator) cacc->flip(f.row, f.col, f.mask);
  }
}

const std::vector<TransientFlip>* Cmac::flips_at(long long cycle) {
  const auto& all = job_->faults.transients();
  const long long run_cycle = job_->start_cycle + cycle;
  if (next_transient_ >= all.size() || all[next_transient_].cycle != run_cycle) return nullptr;
  cycle_flips_.clear();
  for (; next_transient_ < all.size() && all[next_transient_].cycle == run_cycle; ++next_transient_) {
    const auto& f = all[next_transient_];
    // Storage is hit at the start of the cycle, before the operation reads it.
    if (f.site == FaultSite::weight) pes_->flip_weight(f.row, f.col, f.mask);
    else if (f.site == FaultSite::accumulator) cacc->flip(f.row, f.col, f.mask);
    else cycle_flips_.push_back(f);
  }
  return &cycle_flips_;
}

void Cmac::run_stripe(const Stripe& st) {
  const long long begin = job_->job_cycle();
  apply_storage_flips_before(begin);
  std::copy(csc->shadow(), csc->shadow() + job_->array.pes(), pes_->shadow());
  pes_->promote();
  csc->select_data(st);
  const int k = job_->op_cycles;
  for (int i = 0; i < st.length; ++i) {
    const long long fire = begin + static_cast<long long>(i) * k + k - 1;
    if (k > 1) apply_storage_flips_before(fire);  // flips while the cube was read
    const auto* flips = flips_at(fire);
    csc->fetch_cube(i, cube_.data());
    pes_->compute(cube_.data(), psum_.data(), flips);
    cacc->accumulate(i, psum_.data(), st);
  }
  stats_.atomic_ops += st.length;
  stats_.data_fetch_stall_cycles += static_cast<long long>(k - 1) * st.length;
}

void Cmac::compute() {
  for (;;) {
    from_cdma.read();
    const Schedule& sched = job_->schedule;
    sc_core::sc_time ready = sc_core::sc_time_stamp();
    for (long long j = 0; j < sched.stripes(); ++j) {
      shadow_full.read();
      stats_.stall_cycles += job_->cycles_of(sc_core::sc_time_stamp() - ready);
      const Stripe st = sched.stripe(j);
      run_stripe(st);  // promotes the shadow set first, then CSC may fill it again
      if (j + 1 < sched.stripes()) shadow_free.write(1);
      sc_core::wait(job_->cycles(static_cast<long long>(job_->op_cycles) * st.length));
      cacc->end_stripe(st, csc->columns());
      ready = sc_core::sc_time_stamp();
      ++stats_.stripes;
    }
  }
}

}  // namespace accsim
