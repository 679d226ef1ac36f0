#include "workloads/sweep/sweep.h"

#include <algorithm>
#include <exception>
#include <memory>

#include "arch/input_error.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/results_file.h"
#include "workloads/sweep/sweep_checkpoint.h"
#include "workloads/sweep/sweep_output.h"
#include "workloads/sweep/sweep_point.h"

namespace accsim {

namespace {

// A point's result travels between ranks as its bytes (every field is a plain value).
ResultCodec point_codec(std::vector<SweepPointResult>& points) {
  return {[&points](std::size_t i, ByteWriter& w) { w.put(points.at(i)); },
          [&points](std::size_t i, ByteReader& r) { points.at(i) = r.get<SweepPointResult>(); }};
}

// Runs the points not done yet, one per group, on this process's threads or over the
// MPI ranks (docs/scale_out.md); finished points are checkpointed every two seconds (what
// a kill may lose). A point's bad input discards the checkpoint: fixing it changes the
// key, so that checkpoint could never be resumed; anything else (a full disk) keeps it.
void run_points(const Sweep& sweep, const SweepOptions& o, const std::string& key, SweepResult& result,
                ProgressMeter& bar) {
  const std::string ckpt = checkpoint_path(o.out_file);
  std::vector<char> done(result.points.size());
  for (std::size_t i = 0; i < done.size(); ++i) done[i] = result.points[i].done;
  ExperimentRunnerOptions runner;
  runner.threads = sweep.threads;
  runner.checkpoint_seconds = 2.0;
  runner.stop = o.stop;
  runner.progress = &bar;
  auto checkpoint = [&]() -> std::function<void()> {
    auto snapshot = std::make_shared<std::vector<SweepPointResult>>(result.points);
    return [snapshot, &ckpt, &key, &sweep] { write_sweep_checkpoint(ckpt, key, *snapshot, sweep.has_campaign()); };
  };
  auto run = [&](const std::vector<std::size_t>& group) -> std::function<void()> {
    const std::size_t i = group.front();  // groups of one
    SweepPointResult p = run_sweep_point(sweep.points[i].config, o.engine, o.seed, o.stop);
    return [&result, i, p] { result.points[i] = p; };
  };
  try {
    run_distributed(pending_experiments(done, o.stop_after_points > 0 ? o.stop_after_points : -1), done, run,
                    checkpoint, point_codec(result.points), runner);
  } catch (const InputError&) {
    discard_checkpoint(o.out_file);
    throw;
  }
}

}  // namespace

SweepResult run_sweep(const RunConfig& rc, const Sweep& sweep, const SweepOptions& o, std::ostream& out,
                      std::ostream& progress) {
  check_output_path(o.out_file);
  SweepResult result;
  result.points.assign(sweep.points.size(), SweepPointResult{});
  const std::string key = sweep_key(rc, sweep, o), ckpt = checkpoint_path(o.out_file);
  result.resumed_points = resume_sweep_points(ckpt, key, sweep, result.points, out);
  ProgressMeter bar(progress, o.progress, "accsim: sweep");
  run_points(sweep, o, key, result, bar);
  result.complete = std::all_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.done; });
  write_sweep_checkpoint(ckpt, key, result.points, sweep.has_campaign());
  if (!result.complete) return result;
  print_sweep_points(out, sweep, result.points);
  write_sweep_outputs(rc, sweep, o, result.points, out, progress);
  discard_checkpoint(o.out_file);
  return result;
}

}  // namespace accsim
