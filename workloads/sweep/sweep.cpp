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

// A point's result travels between ranks as its bytes (every field is a plain value),
// its layers after it.
ResultCodec point_codec(SweepResult& result) {
  return {[&result](std::size_t i, ByteWriter& w) {
            w.put(result.points.at(i));
            encode_layers(result.layers.at(i), w);
          },
          [&result](std::size_t i, ByteReader& r) {
            result.points.at(i) = r.get<SweepPointResult>();
            result.layers.at(i) = decode_layers(r);
          }};
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
    auto snapshot = std::make_shared<SweepResult>(result);
    return [snapshot, &ckpt, &key, &sweep] { write_sweep_checkpoint(ckpt, key, *snapshot, sweep.has_campaign()); };
  };
  auto run = [&](const std::vector<std::size_t>& group) -> std::function<void()> {
    const std::size_t i = group.front();  // groups of one
    std::vector<SweepLayerResult> layers;
    SweepPointResult p = run_sweep_point(sweep.points[i].config, o.engine, o.seed, o.stop, layers);
    return [&result, i, p, layers = std::move(layers)]() mutable {
      result.points[i] = p;
      result.layers[i] = std::move(layers);
    };
  };
  try {
    run_distributed(pending_experiments(done, o.stop_after_points > 0 ? o.stop_after_points : -1), done, run,
                    checkpoint, point_codec(result), runner);
  } catch (const InputError&) {
    discard_checkpoint(o.out_file);
    throw;
  }
}

}  // namespace

SweepResult run_sweep(const Sweep& sweep, const SweepOptions& o, std::ostream& out, std::ostream& progress) {
  check_output_path(o.out_file);
  SweepResult result;
  result.points.assign(sweep.points.size(), SweepPointResult{});
  result.layers.assign(sweep.points.size(), {});
  const std::string key = sweep_key(sweep, o), ckpt = checkpoint_path(o.out_file);
  result.resumed_points = resume_sweep_points(ckpt, key, sweep, result, out);
  ProgressMeter bar(progress, o.progress, "accsim: sweep");
  run_points(sweep, o, key, result, bar);
  result.complete = std::all_of(result.points.begin(), result.points.end(), [](const auto& p) { return p.done; });
  write_sweep_checkpoint(ckpt, key, result, sweep.has_campaign());
  if (!result.complete) return result;
  print_sweep_points(out, sweep, result.points);
  write_sweep_outputs(sweep, o, result, out, progress);
  discard_checkpoint(o.out_file);
  return result;
}

}  // namespace accsim
