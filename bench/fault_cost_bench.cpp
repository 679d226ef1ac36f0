// What four faults cost the fast engine per job, on one thread: for every preset,
// datapath and workload of engines_bench, blocks of fault-free jobs alternate with
// blocks of the same jobs under bench_common.h's four faults (two stuck-at registers, a
// stuck-at partial sum and a product transient), and each side keeps its least thread
// CPU time per job over all blocks.
//
// Why not engines_bench's two cases: on a shared VM a case timed a second after another
// reads tens of percent slower or faster (other tenants, frequency), more than the 10%
// being measured. Alternating blocks expose both sides to the same conditions, and the
// minimum over hundreds of blocks keeps the undisturbed ones. Thread CPU time leaves out
// the time the thread waited for a core.
//
// Benchmarks: fault_cost/<preset>_<datatype>/<workload>; each iteration is one pair of
// blocks. Counters: "fault-free_us" and "4_faults_us" (least thread CPU microseconds per
// job), "extra_%" (the second over the first), "jobs/block". The summary lists them and
// checks issue 14's target: 4 faults cost <= 10% time in every preset, datatype and
// workload.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>

#include "arch/pe_faults.h"
#include "bench_common.h"
#include "workloads/run/engines.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

const char* const kDatatypes[] = {"fp32", "fp16", "bf16", "int8"};

// "small_fp16"; fp32 is the presets' own datapath.
std::string array_name(const char* preset_name, const char* datatype) {
  return std::string(preset_name) + (std::string(datatype) == "fp32" ? "" : std::string("_") + datatype);
}

std::string bench_name(const std::string& array, const Workload& w) { return "fault_cost/" + array + "/" + w.name; }

// One side of the comparison: an engine on one thread and its least time per job.
class Side {
 public:
  Side(const ArrayConfig& array, std::vector<HardwareFault> faults)
      : faults_(array, std::move(faults)), engine_(make_engine("fast", array, faults_, 1)) {}
  // Runs `jobs` jobs and keeps the block's thread CPU time per job if it is the least yet.
  void run_block(const JobCase& c, int jobs) {
    const double start = thread_cpu_seconds();
    for (int i = 0; i < jobs; ++i) {
      JobResult r = engine_->run(c.job, c.input, c.weights, /*start_cycle=*/0);
      benchmark::DoNotOptimize(r.output.data());
    }
    best_ = std::min(best_, (thread_cpu_seconds() - start) / jobs);
  }
  double best_seconds() const { return best_; }

 private:
  PeFaults faults_;  // outlives the engine, which refers to it
  std::unique_ptr<Engine> engine_;
  double best_ = std::numeric_limits<double>::infinity();
};

// Jobs per block: about a millisecond of work, at most 20 jobs.
int jobs_per_block(Side& side, const JobCase& c) {
  side.run_block(c, 1);  // warms the caches and the engine's per-thread tables
  side.run_block(c, 1);
  return std::clamp(static_cast<int>(1e-3 / side.best_seconds()), 1, 20);
}

void BM_fault_cost(benchmark::State& state, const std::string& array_name, const Workload& w) {
  const ArrayConfig array = array_for(array_name);
  Side clean(array, {}), faulty(array, four_faults(array.datatype));
  const JobCase c(w);
  const int jobs = jobs_per_block(clean, c);
  faulty.run_block(c, 1);
  bool clean_first = true;
  for (auto _ : state) {
    // The order alternates too: neither side always runs right after the other.
    Side& first = clean_first ? clean : faulty;
    Side& second = clean_first ? faulty : clean;
    first.run_block(c, jobs);
    second.run_block(c, jobs);
    clean_first = !clean_first;
  }
  state.counters["fault-free_us"] = 1e6 * clean.best_seconds();
  state.counters["4_faults_us"] = 1e6 * faulty.best_seconds();
  state.counters["extra_%"] = 100.0 * (faulty.best_seconds() / clean.best_seconds() - 1.0);
  state.counters["jobs/block"] = jobs;
}

void register_benchmarks() {
  for (const char* p : kPresets)
    for (const char* datatype : kDatatypes)
      for (const auto& w : workloads()) {
        const std::string array = array_name(p, datatype);
        benchmark::RegisterBenchmark(bench_name(array, w).c_str(), [array, &w](benchmark::State& st) {
          BM_fault_cost(st, array, w);
        })->Unit(benchmark::kMillisecond);
      }
}

void print_summary(const SummaryReporter& rep) {
  std::printf("\nSummary (one thread, least thread CPU time per job over alternating blocks; %s):\n",
              load_average().c_str());
  double worst = -1e9;
  std::string worst_name;
  for (const auto& w : workloads())
    for (const char* p : kPresets)
      for (const char* datatype : kDatatypes) {
        const std::string name = bench_name(array_name(p, datatype), w);
        const double clean = rep.counter(name, "fault-free_us"), faulty = rep.counter(name, "4_faults_us");
        if (clean <= 0 || faulty <= 0) continue;
        const double extra = rep.counter(name, "extra_%");
        std::printf("  %-5s %-4s %-11s fault-free %9.2f us, 4 faults %9.2f us (%+5.1f%% time)\n", p, datatype, w.name,
                    clean, faulty, extra);
        if (extra > worst) worst = extra, worst_name = std::string(p) + " " + datatype + " " + w.name;
      }
  if (worst > -1e9)
    std::printf("    target (issue 14): 4 faults cost <= 10%% time in every preset, datatype and workload: worst %+.1f%% "
                "(%s)  %s\n",
                worst, worst_name.c_str(), worst <= 10.0 ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "fault_cost_bench", register_benchmarks, print_summary);
}
