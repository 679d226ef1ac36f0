#include "sim/conv_core.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/memory_timing.h"

namespace accsim {

struct ConvCore::Active {
  Active(const ConvJob& j, const ArrayConfig& a, const PeFaults& f, const ArrayOperands& ops, long long start)
      : job(j),
        array(a),
        faults(f),
        mapping(j.shape, a, a.swizzle, j.swizzle_seed),
        sequencer(job, array, mapping, ops),
        pes(array, faults),
        accumulator(array, faults),
        output({j.shape.n, j.shape.k, j.shape.p(), j.shape.q()}),
        start_cycle(start),
        op_cycles(cycles_per_atomic_op(a)),
        output_scale(ops.output_scale()),
        cube(a.atomic_c),
        psum(a.atomic_k) {}
  const ConvJob job;
  const ArrayConfig array;
  const PeFaults& faults;
  Mapping mapping;
  Sequencer sequencer;
  PeArray pes;
  Accumulator accumulator;
  Tensor output;
  long long start_cycle;
  int op_cycles;                     // k: CSC reads an input cube over k cycles, the array fires in the last
  float output_scale;                // int8: dequantisation of the accumulator words
  std::size_t next_transient = 0;    // first transient not yet applied
  std::vector<TransientFlip> cycle_flips;
  long long next_stripe = 0;
  long long cycle = 0;               // job cycle at which the next stripe starts
  enum class Phase { idle, computing, draining, done } phase = Phase::idle;
  sc_core::sc_time began;
  JobTiming timing;
  std::vector<std::uint32_t> cube, psum;
};

ConvCore& ConvCore::instance() {
  // Created once and never destroyed: the SystemC kernel owns modules until exit.
  static ConvCore* core = new ConvCore("conv_core");
  return *core;
}

ConvCore::ConvCore(sc_core::sc_module_name name) : sc_module(name) {
  SC_METHOD(clocked);
  sensitive << start_;
  dont_initialize();
}

void ConvCore::wait_cycles(long long cycles) {
  job_->cycle += cycles;
  next_trigger(period_ * static_cast<double>(cycles));
}

void ConvCore::apply_storage_flips_before(long long cycle) {
  auto& a = *job_;
  const auto& all = a.faults.transients();
  while (a.next_transient < all.size() && all[a.next_transient].cycle < a.start_cycle + cycle) {
    const auto& f = all[a.next_transient++];
    if (f.cycle < a.start_cycle) continue;
    // Wires carry nothing while the array waits; storage keeps the flip.
    if (f.site == FaultSite::weight) a.pes.flip_weight(f.row, f.col, f.mask);
    if (f.site == FaultSite::accumulator) a.accumulator.flip(f.row, f.col, f.mask);
  }
}

const std::vector<TransientFlip>* ConvCore::flips_at(long long cycle) {
  auto& a = *job_;
  const auto& all = a.faults.transients();
  const long long run_cycle = a.start_cycle + cycle;
  if (a.next_transient >= all.size() || all[a.next_transient].cycle != run_cycle) return nullptr;
  a.cycle_flips.clear();
  for (; a.next_transient < all.size() && all[a.next_transient].cycle == run_cycle; ++a.next_transient) {
    const auto& f = all[a.next_transient];
    // Storage is hit at the start of the cycle, before the operation reads it.
    if (f.site == FaultSite::weight) a.pes.flip_weight(f.row, f.col, f.mask);
    else if (f.site == FaultSite::accumulator) a.accumulator.flip(f.row, f.col, f.mask);
    else a.cycle_flips.push_back(f);
  }
  return &a.cycle_flips;
}

Stripe ConvCore::run_stripe() {
  auto& a = *job_;
  apply_storage_flips_before(a.cycle);
  const Stripe& st = a.sequencer.begin_stripe(a.next_stripe, a.pes.shadow());
  a.pes.promote();
  const int P = a.job.shape.p(), Q = a.job.shape.q(), K = a.job.shape.k;
  const int k = a.op_cycles;
  for (int i = 0; i < st.length; ++i) {
    const long long fire = a.cycle + static_cast<long long>(i) * k + k - 1;
    if (k > 1) apply_storage_flips_before(fire);  // flips while the cube was read
    const auto* flips = flips_at(fire);
    a.sequencer.fetch_cube(i, a.cube.data());
    a.pes.compute(a.cube.data(), a.psum.data(), flips);
    a.accumulator.write(i, a.psum.data(), st.first_of_tile);
    if (!st.last_of_tile) continue;
    // The tile's channel operation is complete: results leave to the post-processor.
    const long long m = st.first_pixel + i;
    const long long n = m / (static_cast<long long>(P) * Q), pq = m % (static_cast<long long>(P) * Q);
    const auto& cols = a.sequencer.columns();
    for (int col = 0; col < a.array.atomic_k; ++col)
      if (cols[col] >= 0)
        a.output[(n * K + cols[col]) * P * Q + pq] =
            output_value(a.array.datatype, a.accumulator.entry(i, col), a.output_scale);
  }
  a.timing.atomic_ops += st.length;
  a.timing.data_fetch_stall_cycles += static_cast<long long>(k - 1) * st.length;
  a.timing.weight_load_cycles += a.sequencer.schedule().load_cycles(st.group, st.block);
  return st;
}

void ConvCore::clocked() {
  if (!job_) return;
  auto& a = *job_;
  using Phase = Active::Phase;
  const Schedule& sched = a.sequencer.schedule();
  switch (a.phase) {
    case Phase::idle: {  // first fetch from DRAM, first weight load: nothing to hide them behind
      a.began = sc_core::sc_time_stamp();
      a.phase = Phase::computing;
      Stripe first = sched.stripe(0);
      long long load = sched.load_cycles(first.group, first.block);
      const long long fetch = memory_prologue_cycles(a.job.shape, a.array);
      a.timing.stall_cycles += load;
      a.timing.dram_stall_cycles += fetch;
      wait_cycles(fetch + load);
      return;
    }
    case Phase::computing: {
      const Stripe st = run_stripe();
      ++a.next_stripe;
      long long busy = static_cast<long long>(a.op_cycles) * st.length;
      if (a.next_stripe < sched.stripes()) {
        // The next stripe's weights load into the shadow registers meanwhile.
        Stripe next = sched.stripe(a.next_stripe);
        long long stall = std::max<long long>(0, sched.load_cycles(next.group, next.block) - busy);
        a.timing.stall_cycles += stall;
        busy += stall;
      } else {
        a.phase = Phase::draining;
      }
      wait_cycles(busy);
      return;
    }
    case Phase::draining: {  // the pipeline drains; then DRAM traffic not yet done and SDP's tail
      a.phase = Phase::done;
      const long long core = a.cycle - a.timing.dram_stall_cycles;  // so far the latter holds the first fetch only
      const MemoryTail tail = memory_tail(a.job.shape, a.array, core);
      a.timing.dram_stall_cycles += tail.dram_excess;
      a.timing.postprocess_cycles = tail.postprocess;
      wait_cycles(a.array.mac_pipeline_depth + tail.dram_excess + tail.postprocess);
      return;
    }
    case Phase::done: {
      const sc_core::sc_time elapsed = sc_core::sc_time_stamp() - a.began;
      a.timing.cycles = static_cast<long long>(std::llround(elapsed / period_));
      a.timing.stripes = a.next_stripe;
      a.timing.macs = a.job.shape.macs();
      const MemoryTraffic traffic = memory_traffic(a.job.shape, a.array);
      a.timing.dram_read_bytes = traffic.dram_read_bytes;
      a.timing.dram_write_bytes = traffic.dram_write_bytes;
      a.timing.cbuf_read_bytes = traffic.cbuf_read_bytes;
      a.timing.cbuf_write_bytes = traffic.cbuf_write_bytes;
      a.timing.utilisation = static_cast<double>(a.timing.macs) / (static_cast<double>(a.timing.cycles) * a.array.pes());
      return;  // no next_trigger: back to waiting for start_
    }
  }
}

JobResult ConvCore::run(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                        const ArrayOperands& operands, long long start_cycle) {
  check_job_operands(job, operands);
  if (operands.datatype != array.datatype)
    throw std::invalid_argument(job.layer + ": operands in " + to_string(operands.datatype) + " on a " +
                                to_string(array.datatype) + " array");
  period_ = sc_core::sc_time(std::round(1e6 / array.clock_mhz), sc_core::SC_PS);
  job_ = std::make_unique<Active>(job, array, faults, operands, start_cycle);
  start_.notify(sc_core::SC_ZERO_TIME);
  sc_core::sc_start();
  if (job_->phase != Active::Phase::done) throw std::logic_error("conv core: simulation stopped before the job ended");
  JobResult result{std::move(job_->output), job_->timing};
  job_.reset();
  return result;
}

}  // namespace accsim
