#include "workloads/run/workload_timing.h"

#include <stdexcept>

#include "arch/random.h"
#include "workloads/io/memory_limit.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

// A topology layer on data: its operands, a transposed copy of the input (the fast
// kernel's), the fault-free and faulty outputs and an accumulator as large as the output,
// in fp32. InputError naming the topology and the layer above the memory limit.
void check_layer_memory(const std::string& topology, const ConvJob& job) {
  const ConvShape& s = job.shape;
  const double input = static_cast<double>(s.n) * s.c * s.h * s.w, weights = static_cast<double>(s.k) * s.c * s.r * s.s;
  const double output = static_cast<double>(s.n) * s.k * s.p() * s.q();
  check_memory(4.0 * (2 * input + weights + 3 * output),
               topology + ": layer '" + job.layer + "' on data (faults configured or the cycle engine)");
}

Tensor seeded_operand(std::vector<int> shape, std::uint64_t seed) {
  Tensor t(std::move(shape));
  Rng rng(seed);
  for (auto& v : t.values()) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

}  // namespace

void WorkloadTiming::add_layer(LayerTiming l, const ArrayConfig& array) {
  l.analytical = accsim::analytical_cycles(l.job.shape, array);
  const JobTiming& t = l.timing;
  cycles += t.cycles, macs += t.macs, stall_cycles += t.stall_cycles, weight_load_cycles += t.weight_load_cycles;
  data_fetch_stall_cycles += t.data_fetch_stall_cycles, dram_stall_cycles += t.dram_stall_cycles;
  postprocess_cycles += t.postprocess_cycles, dram_read_bytes += t.dram_read_bytes;
  dram_write_bytes += t.dram_write_bytes;
  const EnergyCounts c = accsim::energy_counts(t);
  energy_counts.macs += c.macs, energy_counts.cbuf_bytes += c.cbuf_bytes, energy_counts.dram_bytes += c.dram_bytes;
  analytical_cycles += l.analytical.cycles;
  corrupted_outputs += l.diff.corrupted;
  nonfinite_outputs += l.diff.non_finite;
  layers.push_back(std::move(l));
}

WorkloadTiming time_workload(const ArrayConfig& array, const std::vector<HardwareFault>& faults,
                             const WorkloadConfig& workload, const std::string& engine, std::uint64_t seed) {
  if (workload.topology.empty()) throw std::invalid_argument("time_workload: the workload is not a topology");
  WorkloadTiming w;
  const bool data = !faults.empty() || engine != "fast";
  const PeFaults healthy, faulty(array, faults);
  const auto clean = make_engine(engine, array, healthy);
  const auto broken = make_engine(engine, array, faulty);
  long long start = 0;
  for (std::size_t i = 0; i < workload.topology_jobs.size(); ++i) {
    LayerTiming l;
    l.job = workload.topology_jobs[i];
    l.node = l.job.layer;
    const ConvShape& s = l.job.shape;
    if (data) {
      check_layer_memory(workload.topology, l.job);
      const Tensor in = seeded_operand({s.n, s.c, s.h, s.w}, splitmix64(seed ^ (2 * i + 1)));
      const Tensor wt = seeded_operand({s.k, s.c, s.r, s.s}, splitmix64(seed ^ (2 * i + 2)));
      const JobResult golden = clean->run(l.job, in, wt, start);
      const JobResult bad = broken->run(l.job, in, wt, start);
      l.timing = bad.timing;
      l.diff = compare_outputs(golden.output, bad.output);
      l.ran_data = true;
    } else {
      l.timing = closed_form_timing(l.job, array);
    }
    start += l.timing.cycles;
    w.add_layer(std::move(l), array);
  }
  w.utilisation = w.cycles ? static_cast<double>(w.macs) / (static_cast<double>(w.cycles) * array.pes()) : 0.0;
  return w;
}

}  // namespace accsim
