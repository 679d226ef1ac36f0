#include "workloads/fault_evaluator.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/activations.h"
#include "kernels/array_conv.h"
#include "workloads/engines.h"

namespace accsim {

namespace {

bool same_bits(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

long long count_differences(const float* a, const float* b, std::size_t n) {
  if (same_bits(a, b, n)) return 0;
  long long d = 0;
  for (std::size_t i = 0; i < n; ++i) d += float_bits(a[i]) != float_bits(b[i]);
  return d;
}

bool any_nonfinite(const float* v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(v[i])) return true;
  return false;
}

// Adds one image's classification under the fault to `e`.
void classify(const GoldenBatch& g, int image, const float* logits, int classes, BatchEffect& e) {
  if (any_nonfinite(logits, static_cast<std::size_t>(classes))) ++e.nonfinite_images;
  if (g.correct[image] && argmax_row(logits, classes) != g.labels[image]) ++e.correct_to_wrong;
}

bool changes(const StuckMask& m, float v) { return m.apply(float_bits(v)) != float_bits(v); }

// False when a weight or input stuck-at provably changes nothing in this layer for the
// images whose input is the fault-free one: the faulty register never holds a value
// whose bits the stuck-at alters (idle rows hold 0, padding reads 0). True otherwise,
// and for every other site.
bool stuck_at_acts(const HardwareFault& f, const PeFaults& faults, const LayerRun& layer, const Tensor& weights,
                   const Mapping& mapping, const std::vector<char>& dirty) {
  if (f.site != FaultSite::weight && f.site != FaultSite::input) return true;
  const ConvShape& s = layer.job.shape;
  const StuckMask& mask = f.site == FaultSite::weight ? faults.weight(f.row, f.col) : faults.input(f.row, f.col);
  std::vector<int> cols, rows;
  std::vector<char> seen(static_cast<std::size_t>(s.c), 0);
  const std::size_t plane = static_cast<std::size_t>(s.h) * static_cast<std::size_t>(s.w);
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, cols);
    const int oc = cols[static_cast<std::size_t>(f.col)];
    if (oc < 0) continue;  // an idle column's results never leave the array
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, rows);
      const int ic = rows[static_cast<std::size_t>(f.row)];
      if (ic < 0 || (f.site == FaultSite::input && s.pad > 0)) {
        if (changes(mask, 0.0f)) return true;
        if (ic < 0) continue;
      }
      if (f.site == FaultSite::weight) {
        const float* w = weights.data() + (static_cast<std::size_t>(oc) * s.c + ic) * s.r * s.s;
        for (int i = 0; i < s.r * s.s; ++i)
          if (changes(mask, w[i])) return true;
        continue;
      }
      if (seen[static_cast<std::size_t>(ic)]) continue;
      seen[static_cast<std::size_t>(ic)] = 1;
      for (int n = 0; n < s.n; ++n) {
        if (dirty[static_cast<std::size_t>(n)]) continue;  // recomputed anyway
        const float* x = layer.input.data() + (static_cast<std::size_t>(n) * s.c + ic) * plane;
        for (std::size_t i = 0; i < plane; ++i)
          if (changes(mask, x[i])) return true;
      }
    }
  }
  return false;
}

}  // namespace

int argmax_row(const float* logits, int classes) {
  int best = 0;
  for (int i = 1; i < classes; ++i)
    if (logits[i] > logits[best]) best = i;
  return best;
}

FaultEvaluator::FaultEvaluator(const ArrayConfig& array, const Network& net, const NetworkParameters& params)
    : array_(array), net_(net), params_(params) {
  if (params.weights.size() != net.layers.size() || params.biases.size() != net.layers.size())
    throw std::invalid_argument("FaultEvaluator: parameters do not match the network's layers");
}

GoldenBatch FaultEvaluator::golden(const Tensor& images, const std::vector<int>& labels) const {
  if (images.rank() != 4 || static_cast<std::size_t>(images.dim(0)) != labels.size())
    throw std::invalid_argument("FaultEvaluator::golden: " + std::to_string(labels.size()) + " labels for images " +
                                images.shape_string());
  const PeFaults healthy;
  FastEngine engine(array_, healthy);
  GoldenBatch g;
  g.run = run_network(net_, params_, images, engine);
  g.labels = labels;
  const int n = images.dim(0), classes = g.run.logits.dim(1);
  for (int i = 0; i < n; ++i) {
    const float* row = g.run.logits.data() + static_cast<std::size_t>(i) * classes;
    g.predictions.push_back(argmax_row(row, classes));
    g.correct.push_back(g.predictions.back() == labels[i]);
    g.nonfinite.push_back(any_nonfinite(row, static_cast<std::size_t>(classes)));
  }
  return g;
}

int FaultEvaluator::layer_at_cycle(const NetworkRun& run, long long cycle) {
  for (std::size_t l = 0; l < run.layers.size(); ++l) {
    const LayerRun& lr = run.layers[l];
    if (cycle >= lr.start_cycle && cycle < lr.start_cycle + lr.timing.cycles) return static_cast<int>(l);
  }
  return -1;
}

BatchEffect FaultEvaluator::evaluate(const GoldenBatch& golden, const HardwareFault& fault, bool shortcut) const {
  validate(fault, array_);
  return shortcut ? evaluate_shortcut(golden, fault) : evaluate_full(golden, fault);
}

BatchEffect FaultEvaluator::evaluate_full(const GoldenBatch& g, const HardwareFault& fault) const {
  const PeFaults faults(array_, {fault});
  FastEngine engine(array_, faults);
  const NetworkRun run = run_network(net_, params_, g.run.layers.front().input, engine);
  BatchEffect e;
  for (std::size_t l = 0; l < run.layers.size(); ++l)
    e.trace.push_back(count_differences(run.layers[l].output.data(), g.run.layers[l].output.data(),
                                        run.layers[l].output.size()));
  const int classes = run.logits.dim(1);
  for (int i = 0; i < g.size(); ++i) classify(g, i, run.logits.data() + static_cast<std::size_t>(i) * classes, classes, e);
  return e;
}

BatchEffect FaultEvaluator::evaluate_shortcut(const GoldenBatch& g, const HardwareFault& fault) const {
  const NetworkRun& golden = g.run;
  const int layers = static_cast<int>(golden.layers.size()), n = g.size(), cols = array_.atomic_k;
  BatchEffect e;
  e.trace.assign(static_cast<std::size_t>(layers), 0);
  const int struck = fault.permanent() ? 0 : layer_at_cycle(golden, fault.cycle);
  const PeFaults faults(array_, {fault}), healthy;

  // dirty[i]: image i's input to the current layer differs from the fault-free one,
  // and is act[i] (the layer's input block of that image).
  std::vector<char> dirty(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<float>> act(static_cast<std::size_t>(n));
  std::vector<float> post;
  for (int l = struck < 0 ? layers : struck; l < layers; ++l) {
    const LayerRun& gl = golden.layers[static_cast<std::size_t>(l)];
    const LayerSpec& spec = net_.layers[static_cast<std::size_t>(l)];
    const ConvShape& s = gl.job.shape;
    const bool active = fault.permanent() || l == struck;
    std::vector<int> dirty_list;
    for (int i = 0; i < n; ++i)
      if (dirty[i]) dirty_list.push_back(i);
    if (!active && dirty_list.empty()) break;  // every later layer is the fault-free one

    const std::size_t in_block = gl.input.size() / static_cast<std::size_t>(n);
    const std::size_t out_block = gl.output.size() / static_cast<std::size_t>(n);
    const auto PQ = static_cast<std::size_t>(s.p()) * static_cast<std::size_t>(s.q());
    std::vector<long long> diff(static_cast<std::size_t>(n), 0);
    // Per image: its faulty output block (valid on the computed planes) and the output
    // channels whose plane differs from the fault-free one.
    std::vector<const float*> out_of(static_cast<std::size_t>(n), nullptr);
    std::vector<std::vector<int>> changed(static_cast<std::size_t>(n));
    auto compare_plane = [&](int i, int oc) {
      const std::size_t at = static_cast<std::size_t>(oc) * PQ;
      const long long d = count_differences(out_of[i] + at, gl.output.data() + i * out_block + at, PQ);
      if (d == 0) return;
      diff[i] += d;
      changed[i].push_back(oc);
    };
    // Per-thread scratch: a campaign evaluates thousands of faults on the same shapes.
    thread_local std::vector<Tensor> outputs;  // per layer
    thread_local Tensor patched;
    if (outputs.size() < static_cast<std::size_t>(layers)) outputs.resize(static_cast<std::size_t>(layers));
    Tensor& y = outputs[static_cast<std::size_t>(l)];
    if (active) {
      const Mapping mapping(s, array_, array_.swizzle, gl.job.swizzle_seed);
      const ErrorPattern pattern = map_transients(gl.job, array_, faults, gl.start_cycle);
      ConvRegion region;
      if (fault.permanent()) {
        region.images = dirty;
        region.columns.assign(static_cast<std::size_t>(cols), 0);
        if (stuck_at_acts(fault, faults, gl, params_.weights[static_cast<std::size_t>(l)], mapping, dirty))
          region.columns[static_cast<std::size_t>(fault.col)] = 1;
        else if (dirty_list.empty())
          continue;  // nothing differs in this layer: every image's output is the fault-free one
      } else {
        if (pattern.empty()) break;  // the transient is masked in the hardware: nothing changes
        region.images.assign(static_cast<std::size_t>(n), 0);
        region.image_columns.assign(static_cast<std::size_t>(cols), 0);
        for (const auto& p : pattern.psums) {
          region.images[static_cast<std::size_t>(p.at.pixel / static_cast<long long>(PQ))] = 1;
          region.image_columns[static_cast<std::size_t>(p.at.col)] = 1;
        }
        for (const auto& a : pattern.accumulator) {
          region.images[static_cast<std::size_t>(a.at.pixel / static_cast<long long>(PQ))] = 1;
          region.image_columns[static_cast<std::size_t>(a.at.col)] = 1;
        }
      }
      const Tensor* input = &gl.input;
      if (!dirty_list.empty()) {
        patched = gl.input;
        for (int i : dirty_list) std::copy(act[i].begin(), act[i].end(), patched.data() + i * in_block);
        input = &patched;
      }
      // Only the region's planes are written and read: no copy of the fault-free output.
      if (y.shape() != gl.output.shape()) y = Tensor(gl.output.shape());
      array_conv_region(gl.job, array_, mapping, faults, pattern, *input, params_.weights[static_cast<std::size_t>(l)],
                        region, y);
      std::vector<int> col_of(static_cast<std::size_t>(s.k), -1), channels;
      for (int group = 0; group < mapping.groups(); ++group) {
        mapping.cols_to_channels(group, channels);
        for (int col = 0; col < cols; ++col)
          if (channels[static_cast<std::size_t>(col)] >= 0) col_of[static_cast<std::size_t>(channels[col])] = col;
      }
      for (int i = 0; i < n; ++i) {
        out_of[i] = y.data() + i * out_block;
        for (int oc = 0; oc < s.k; ++oc) {
          const auto col = static_cast<std::size_t>(col_of[static_cast<std::size_t>(oc)]);
          const bool computed = (!region.columns.empty() && region.columns[col]) ||
                                (region.images[static_cast<std::size_t>(i)] &&
                                 (region.image_columns.empty() || region.image_columns[col]));
          if (computed) compare_plane(i, oc);
        }
      }
    } else {
      // Only the images whose input differs, as a smaller batch on a fault-free array:
      // without a fault an output position's value does not depend on its place in the batch.
      const int d = static_cast<int>(dirty_list.size());
      Tensor xs({d, s.c, s.h, s.w});
      for (int j = 0; j < d; ++j) std::copy(act[dirty_list[j]].begin(), act[dirty_list[j]].end(), xs.data() + j * in_block);
      const ConvJob job = layer_job(spec, d, s.h, s.w, static_cast<std::uint64_t>(l));
      FastEngine engine(array_, healthy);
      y = engine.run(job, xs, params_.weights[static_cast<std::size_t>(l)], 0).output;
      for (int j = 0; j < d; ++j) {
        const int i = dirty_list[j];
        out_of[i] = y.data() + j * out_block;
        for (int oc = 0; oc < s.k; ++oc) compare_plane(i, oc);
      }
    }

    // Bias, activation and pooling of the changed planes (channel by channel: the fault-
    // free activation of every other channel stays), then which images now differ.
    const Tensor& next = l + 1 < layers ? golden.layers[static_cast<std::size_t>(l) + 1].input : golden.logits;
    const std::size_t next_block = next.size() / static_cast<std::size_t>(n);
    const int P = s.p() / spec.pool, Q = s.q() / spec.pool;
    const std::size_t pooled_plane = static_cast<std::size_t>(P) * static_cast<std::size_t>(Q);
    if (pooled_plane * static_cast<std::size_t>(s.k) != next_block)
      throw std::logic_error("FaultEvaluator: activation size differs from the cached run");
    const float* bias = params_.biases[static_cast<std::size_t>(l)].data();
    std::vector<char> next_dirty(static_cast<std::size_t>(n), 0);
    for (int i = 0; i < n; ++i) {
      e.trace[static_cast<std::size_t>(l)] += diff[i];
      if (diff[i] == 0) continue;
      const float* golden_act = next.data() + i * next_block;
      post.assign(golden_act, golden_act + next_block);
      if (changed[i].size() == static_cast<std::size_t>(s.k)) {
        bias_relu_pool(out_of[i], s.k, s.p(), s.q(), bias, spec.relu, net_.clip, spec.pool, post.data());
      } else {
        for (int oc : changed[i])
          bias_relu_pool(out_of[i] + static_cast<std::size_t>(oc) * PQ, 1, s.p(), s.q(), bias + oc, spec.relu,
                         net_.clip, spec.pool, post.data() + static_cast<std::size_t>(oc) * pooled_plane);
      }
      if (!same_bits(post.data(), golden_act, next_block)) {
        next_dirty[i] = 1;
        act[i].assign(post.begin(), post.end());
      }
    }
    for (int i = 0; i < n; ++i)
      if (!next_dirty[i]) std::vector<float>().swap(act[i]);
    dirty = std::move(next_dirty);
  }

  const int classes = golden.logits.dim(1);
  for (int i = 0; i < n; ++i) {
    if (dirty[i])
      classify(g, i, act[i].data(), classes, e);
    else
      e.nonfinite_images += g.nonfinite[i];  // unchanged logits: the fault-free prediction
  }
  return e;
}

}  // namespace accsim
