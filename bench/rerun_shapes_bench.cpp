// The fast engine's MAC rate on the jobs a PVF or campaign experiment on LeNet-5 actually
// recomputes (docs/performance.md, "PVF and campaign experiments: what bounds them"): a
// corrupted weight's output channel of one image (the PVF's rerun of the struck layer),
// the fault-free rests stacked at the batch a PVF worker runs them at (a group of up to
// 128 experiments, of one target since runs plan their experiments target by target, 8
// in 9 of them counted: about 113; 28 with the groups of 32 run until 2026-11-29), a
// stuck-at column's planes of a campaign batch of 20 images, and whole campaign jobs at
// batch 20. Small preset, fp32, healthy array (a fault's masks only add work), one
// thread, random operands.
//
// Benchmarks: shapes/<case>. Counters: "MAC/s", the MACs the case computes (its planes
// only) per CPU second; "MACs", per call. ACCSIM_SHAPES_ITERATIONS=N runs every case
// exactly N times (for callgrind: `--toggle-collect='accsim::array_conv*'`, divided by N).
// ACCSIM_SLOT_POLICY=always|never gives every eligible column the slot kernels or none
// (kernels/slot_sums.h; default: float_conv's estimate decides).
#include <cstdlib>
#include <string>
#include <vector>

#include "arch/error_pattern.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "bench_common.h"
#include "kernels/array_conv.h"
#include "kernels/slot_sums.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

// Which planes a case computes.
// whole: every plane; channel: one output channel's planes as a region of the job;
// alone: that channel as a job of its own (k = 1, what the rerun engine runs when the
// mapping allows); column: a column's planes of every image as a region.
enum class Part { whole, channel, alone, column };

struct Case {
  std::string name;
  ConvShape shape;
  Part part;
  int which;  // Part::channel: the output channel; Part::column: the array column
};

ConvShape conv1(int n) { return {n, 1, 28, 28, 6, 5, 5, 1, 0}; }
ConvShape conv2(int n) { return {n, 6, 12, 12, 16, 5, 5, 1, 0}; }
ConvShape fc(int n, int in, int out) { return {n, in, 1, 1, out, 1, 1, 1, 0}; }

// A campaign's jobs at batch n: a stuck-at's column (conv1: 1 channel, conv2: 2, fc1:
// 15), and the whole jobs after it (their inputs changed).
void add_campaign_cases(int n, std::vector<Case>& c) {
  const std::string batch = "/batch" + std::to_string(n);
  const Case jobs[] = {{"conv1_column", conv1(n), Part::column, 0}, {"conv2_column", conv2(n), Part::column, 0},
                       {"fc1_column", fc(n, 256, 120), Part::column, 0}, {"conv1", conv1(n), Part::whole, 0},
                       {"conv2", conv2(n), Part::whole, 0},          {"fc1", fc(n, 256, 120), Part::whole, 0},
                       {"fc2", fc(n, 120, 84), Part::whole, 0},      {"fc3", fc(n, 84, 10), Part::whole, 0}};
  for (const Case& job : jobs) c.push_back({"campaign/" + job.name + batch, job.shape, job.part, 0});
}

const std::vector<Case>& cases() {
  static const std::vector<Case> c = [] {
    std::vector<Case> all = {
      // PVF: the struck layer's channel of one image.
      {"pvf/conv1_1_channel/batch1", conv1(1), Part::channel, 0},
      {"pvf/conv2_1_channel/batch1", conv2(1), Part::channel, 0},
      {"pvf/fc1_1_output/batch1", fc(1, 256, 120), Part::channel, 0},
      {"pvf/fc2_1_output/batch1", fc(1, 120, 84), Part::channel, 0},
      {"pvf/fc3_1_output/batch1", fc(1, 84, 10), Part::channel, 0},
      {"pvf/conv1_1_channel_alone/batch1", conv1(1), Part::alone, 0},
      {"pvf/conv2_1_channel_alone/batch1", conv2(1), Part::alone, 0},
      {"pvf/fc1_1_output_alone/batch1", fc(1, 256, 120), Part::alone, 0},
      {"pvf/fc2_1_output_alone/batch1", fc(1, 120, 84), Part::alone, 0},
      {"pvf/fc3_1_output_alone/batch1", fc(1, 84, 10), Part::alone, 0},
      // PVF: the fault-free rests, stacked.
      {"pvf/conv2/batch28", conv2(28), Part::whole, 0},
      {"pvf/fc1/batch28", fc(28, 256, 120), Part::whole, 0},
      {"pvf/fc2/batch28", fc(28, 120, 84), Part::whole, 0},
      {"pvf/fc3/batch28", fc(28, 84, 10), Part::whole, 0},
      {"pvf/conv2/batch113", conv2(113), Part::whole, 0},
      {"pvf/fc1/batch113", fc(113, 256, 120), Part::whole, 0},
      {"pvf/fc2/batch113", fc(113, 120, 84), Part::whole, 0},
      {"pvf/fc3/batch113", fc(113, 84, 10), Part::whole, 0},
    };
    for (const int n : {20, 100}) add_campaign_cases(n, all);  // batches of 20 and campaign_bench's 100
    return all;
  }();
  return c;
}

// The planes as the rerun engine selects them (workloads/models/plane_rerun_engine.cpp):
// a corrupted channel of clean images: the columns serving it in the groups holding it;
// a stuck-at's column: its channels of every image.
ConvRegion region_of(const Case& c, const ArrayConfig& a, const Mapping& mapping) {
  ConvRegion r;
  r.columns.assign(static_cast<std::size_t>(a.atomic_k), 0);
  r.images.assign(static_cast<std::size_t>(c.shape.n), 0);
  if (c.part == Part::column) {
    r.columns[static_cast<std::size_t>(c.which)] = 1;
    return r;
  }
  r.groups.assign(static_cast<std::size_t>(mapping.groups()), 0);
  std::vector<int> served;
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, served);
    for (int col = 0; col < a.atomic_k; ++col)
      if (served[static_cast<std::size_t>(col)] == c.which) r.columns[static_cast<std::size_t>(col)] = 1, r.groups[g] = 1;
  }
  return r;
}

// The MACs of the planes the case computes (`s`: the job's shape).
long long case_macs(const Case& c, const ConvShape& s, const ArrayConfig& a, const Mapping& mapping,
                    const ConvRegion& r) {
  if (c.part == Part::whole || c.part == Part::alone) return s.macs();
  const long long per_plane = static_cast<long long>(s.p()) * s.q() * s.c * s.r * s.s;
  long long planes = 0;
  std::vector<int> served;
  for (int g = 0; g < mapping.groups(); ++g) {
    if (!r.groups.empty() && !r.groups[static_cast<std::size_t>(g)]) continue;
    mapping.cols_to_channels(g, served);
    for (int col = 0; col < a.atomic_k; ++col)
      if (served[static_cast<std::size_t>(col)] >= 0 && r.columns[static_cast<std::size_t>(col)]) planes += s.n;
  }
  return planes * per_plane;
}

void run_case(benchmark::State& state, const Case& c) {
  const ArrayConfig& a = preset("small");
  ConvJob job;
  job.layer = c.name;
  job.shape = c.shape;
  if (c.part == Part::alone) job.shape.k = 1;
  const ConvShape& s = job.shape;
  const Mapping mapping(job.shape, a, a.swizzle, 0);
  const PeFaults healthy;
  Rng rng(3);
  Tensor input({s.n, s.c, s.h, s.w}), weights({s.k, s.c, s.r, s.s});
  for (auto& v : input.values()) v = rng.uniform01();
  for (auto& v : weights.values()) v = rng.uniform01() - 0.5f;
  const ConvRegion region = region_of(c, a, mapping);
  Tensor out({s.n, s.k, s.p(), s.q()});
  for (auto _ : state) {
    if (c.part == Part::whole || c.part == Part::alone)
      benchmark::DoNotOptimize(array_conv(job, a, mapping, healthy, ErrorPattern{}, input, weights, 1));
    else
      array_conv_region(job, a, mapping, healthy, ErrorPattern{}, input, weights, region, out, 1);
    benchmark::ClobberMemory();
  }
  const double macs = static_cast<double>(case_macs(c, s, a, mapping, region));
  state.counters["MACs"] = macs;
  state.counters["MAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsIterationInvariantRate);
}

void register_benchmarks() {
  const char* fixed = std::getenv("ACCSIM_SHAPES_ITERATIONS");
  if (const char* policy = std::getenv("ACCSIM_SLOT_POLICY")) {
    const std::string p = policy;
    slot_sums::set_slot_policy(p == "always"  ? slot_sums::SlotPolicy::always
                               : p == "never" ? slot_sums::SlotPolicy::never
                                              : slot_sums::SlotPolicy::automatic);
  }
  for (const Case& c : cases()) {
    auto* b = benchmark::RegisterBenchmark((std::string("shapes/") + c.name).c_str(),
                                           [&c](benchmark::State& s) { run_case(s, c); });
    b->Unit(benchmark::kMicrosecond);
    if (fixed) b->Iterations(std::atoll(fixed));
  }
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "rerun_shapes_bench", register_benchmarks, [](const SummaryReporter&) {});
}
