#include "workloads/campaign.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "workloads/campaign_checkpoint.h"
#include "workloads/campaign_fault.h"
#include "workloads/fault_evaluator.h"
#include "workloads/mitigated_evaluation.h"

namespace accsim {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int worker_count(int configured, std::size_t jobs) {
  unsigned n = configured > 0 ? static_cast<unsigned>(configured) : std::thread::hardware_concurrency();
  if (n == 0) n = 1;
  return static_cast<int>(std::max<std::size_t>(1, std::min<std::size_t>(n, jobs)));
}

// Runs job(i) for i in [0, count) on `threads` threads; rethrows the first exception.
void parallel_for(int threads, std::size_t count, const std::function<void(std::size_t)>& job) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      try {
        job(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = count;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < worker_count(threads, count); ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

Tensor slice_images(const Tensor& images, int first, int count) {
  Tensor t({count, images.dim(1), images.dim(2), images.dim(3)});
  const std::size_t per = images.size() / static_cast<std::size_t>(images.dim(0));
  std::copy(images.data() + first * per, images.data() + (first + count) * per, t.data());
  return t;
}

}  // namespace

const std::vector<std::string>& outcome_names() {
  static const std::vector<std::string> names{"masked", "sdc", "crash", "due"};
  return names;
}

std::string to_string(Outcome o) { return outcome_names().at(static_cast<std::size_t>(o)); }

Outcome classify_outcome(long long correct_to_wrong, long long nonfinite_images) {
  if (nonfinite_images > 0) return Outcome::crash;
  if (correct_to_wrong > 0) return Outcome::sdc;
  return Outcome::masked;
}

CampaignResults run_campaign(const Campaign& c, const CampaignRunOptions& options) {
  const int n = c.images.rank() == 4 ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_campaign: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  if (c.config.batch < 1 || c.config.experiments < 1) throw std::invalid_argument("run_campaign: batch and experiments must be >= 1");
  const FaultEvaluator evaluator(c.array, c.network, c.params);

  // The fault-free run of every batch, once.
  const int batch = std::min(c.config.batch, n);
  const int batches = (n + batch - 1) / batch;
  std::vector<GoldenBatch> golden(static_cast<std::size_t>(batches));
  parallel_for(c.config.threads, golden.size(), [&](std::size_t b) {
    const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
    golden[b] = evaluator.golden(slice_images(c.images, first, count),
                                 std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
  });

  // The mitigation variants' fault-free runs, once.
  const MitigatedEvaluation mitigated(c.array, c.network, c.params, c.config.mitigations, golden,
                                      [&](std::size_t count, const std::function<void(std::size_t)>& job) {
                                        parallel_for(c.config.threads, count, job);
                                      });

  CampaignResults r;
  r.key = campaign_key(c);
  for (const auto& l : c.network.layers) r.layers.push_back(l.name);
  r.batches = batches;
  r.batch_cycles = golden.front().run.cycles;
  r.images = n;
  for (std::size_t v = 0; v < mitigated.size(); ++v) r.variants.push_back(mitigated.baseline(v));
  for (const auto& g : golden) {
    r.cycles += g.run.cycles;
    for (char ok : g.correct) r.golden_correct += ok;
    r.golden_predictions.insert(r.golden_predictions.end(), g.predictions.begin(), g.predictions.end());
  }
  const auto total = static_cast<std::size_t>(c.config.experiments);
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i) {
    ExperimentResult& e = r.experiments[i];
    e.fault = draw_campaign_fault(c.config, c.array, c.seed, static_cast<long long>(i), r.batch_cycles);
    if (!e.fault.permanent()) e.layer = FaultEvaluator::layer_at_cycle(golden.front().run, e.fault.cycle);
  }
  if (!options.checkpoint.empty() && std::filesystem::exists(options.checkpoint))
    r.resumed = read_campaign_checkpoint(options.checkpoint, r);

  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < total; ++i)
    if (!r.done[i]) pending.push_back(i);
  if (options.max_experiments >= 0 && static_cast<std::size_t>(options.max_experiments) < pending.size())
    pending.resize(static_cast<std::size_t>(options.max_experiments));

  std::mutex mutex;  // guards r.experiments[i] of pending i, r.done, r.done_count, error, finished
  std::condition_variable changed;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> abort{false};
  std::exception_ptr error;
  int finished = 0;
  auto stopping = [&] { return abort.load() || (options.stop && options.stop->load()); };
  auto work = [&] {
    try {
      for (std::size_t j; !stopping() && (j = next.fetch_add(1)) < pending.size();) {
        const std::size_t i = pending[j];
        ExperimentResult e;
        e.fault = r.experiments[i].fault;  // written before the threads started
        e.layer = r.experiments[i].layer;
        e.trace.assign(r.layers.size(), 0);
        for (const GoldenBatch& g : golden) {
          const BatchEffect be = evaluator.evaluate(g, e.fault, options.shortcut);
          e.correct_to_wrong += be.correct_to_wrong;
          e.nonfinite_images += be.nonfinite_images;
          for (std::size_t l = 0; l < e.trace.size(); ++l) e.trace[l] += be.trace[l];
        }
        e.outcome = classify_outcome(e.correct_to_wrong, e.nonfinite_images);
        for (std::size_t v = 0; v < mitigated.size(); ++v)
          e.variants.push_back(mitigated.evaluate(v, e.fault, e, options.shortcut));
        const std::lock_guard<std::mutex> lock(mutex);
        r.experiments[i] = std::move(e);
        r.done[i] = 1;
        ++r.done_count;
      }
    } catch (...) {
      const std::lock_guard<std::mutex> lock(mutex);
      if (!error) error = std::current_exception();
      abort = true;
    }
    const std::lock_guard<std::mutex> lock(mutex);
    ++finished;
    changed.notify_all();
  };
  long long saved = r.done_count;  // what the checkpoint file holds; before any worker runs
  const int threads = pending.empty() ? 0 : worker_count(c.config.threads, pending.size());
  if (options.progress) options.progress(r.done_count, static_cast<long long>(total));  // the baseline
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work);

  // The calling thread: progress and checkpoints.
  const double checkpoint_every = c.config.checkpoint_seconds;
  Clock::time_point last_checkpoint = Clock::now(), last_progress = Clock::now();
  auto save = [&](std::unique_lock<std::mutex>& lock) {
    if (options.checkpoint.empty() || r.done_count == saved) return;
    const CampaignResults snapshot = r;  // workers go on while the file is written
    saved = r.done_count;
    lock.unlock();
    write_campaign_checkpoint(options.checkpoint, snapshot);
    lock.lock();
  };
  {
    std::unique_lock<std::mutex> lock(mutex);
    while (finished < threads) {
      const double wait = std::min(options.progress_seconds, checkpoint_every);
      changed.wait_for(lock, std::chrono::duration<double>(wait));
      if (options.progress && seconds_since(last_progress) >= options.progress_seconds) {
        options.progress(r.done_count, static_cast<long long>(total));
        last_progress = Clock::now();
      }
      if (seconds_since(last_checkpoint) >= checkpoint_every) {
        try {
          save(lock);
        } catch (...) {
          if (!error) error = std::current_exception();
          abort = true;
        }
        last_checkpoint = Clock::now();
      }
    }
  }
  for (auto& t : pool) t.join();
  std::unique_lock<std::mutex> lock(mutex);
  // A complete run's results go to the output; the caller removes the checkpoint then.
  if (!r.complete()) {
    try {
      save(lock);
    } catch (...) {
      if (!error) throw;  // otherwise the worker's error is the one to report
    }
  }
  if (options.progress) options.progress(r.done_count, static_cast<long long>(total));
  if (error) std::rethrow_exception(error);
  return r;
}

}  // namespace accsim
