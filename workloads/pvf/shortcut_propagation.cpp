#include "workloads/pvf/shortcut_propagation.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "arch/mapping.h"
#include "kernels/activations.h"
#include "workloads/run/engines.h"

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

// The array column serving each output channel of the job (under its swizzle), and the
// output-channel group it belongs to.
struct ChannelPlace {
  std::vector<int> col, group;
};
ChannelPlace place_of_channels(const Mapping& mapping, int channels, int cols) {
  ChannelPlace at{std::vector<int>(static_cast<std::size_t>(channels), -1),
                  std::vector<int>(static_cast<std::size_t>(channels), -1)};
  std::vector<int> served;
  for (int group = 0; group < mapping.groups(); ++group) {
    mapping.cols_to_channels(group, served);
    for (int col = 0; col < cols; ++col) {
      const int oc = served[static_cast<std::size_t>(col)];
      if (oc < 0) continue;
      at.col[static_cast<std::size_t>(oc)] = col;
      at.group[static_cast<std::size_t>(oc)] = group;
    }
  }
  return at;
}

}  // namespace

GoldenBatch make_golden(NetworkRun run, const std::vector<int>& labels) {
  GoldenBatch g;
  g.run = std::move(run);
  g.labels = labels;
  const int classes = g.run.logits.dim(1);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const float* row = g.run.logits.data() + i * static_cast<std::size_t>(classes);
    g.predictions.push_back(argmax_row(row, classes));
    g.correct.push_back(g.predictions.back() == labels[i]);
    g.nonfinite.push_back(any_nonfinite(row, static_cast<std::size_t>(classes)));
  }
  return g;
}

GoldenBatch golden_image(const GoldenBatch& b, const Network& net, int image) {
  const auto slice = [image](const Tensor& t) {
    std::vector<int> shape = t.shape();
    shape[0] = 1;
    Tensor one(shape);
    std::copy_n(t.data() + static_cast<std::size_t>(image) * one.size(), one.size(), one.data());
    return one;
  };
  GoldenBatch g;
  for (std::size_t l = 0; l < b.run.layers.size(); ++l) {
    const LayerRun& from = b.run.layers[l];
    LayerRun lr;
    lr.job = layer_job(net.layers[l], 1, from.job.shape.h, from.job.shape.w, l);
    lr.start_cycle = from.start_cycle;
    lr.timing = from.timing;  // the batch's: a one-image record serves corrupted parameters, not transients
    lr.input = slice(from.input);
    lr.output = slice(from.output);
    g.run.layers.push_back(std::move(lr));
  }
  g.run.logits = slice(b.run.logits);
  g.run.cycles = b.run.cycles;
  const auto i = static_cast<std::size_t>(image);
  g.labels = {b.labels[i]};
  g.predictions = {b.predictions[i]};
  g.correct = {b.correct[i]};
  g.nonfinite = {b.nonfinite[i]};
  return g;
}

BatchEffect compare_runs(const GoldenBatch& g, const NetworkRun& run) {
  BatchEffect e;
  for (std::size_t l = 0; l < run.layers.size(); ++l)
    e.trace.push_back(count_differences(run.layers[l].output.data(), g.run.layers[l].output.data(),
                                        run.layers[l].output.size()));
  const int classes = run.logits.dim(1);
  for (int i = 0; i < g.size(); ++i) {
    const float* logits = run.logits.data() + static_cast<std::size_t>(i) * classes;
    e.predictions.push_back(argmax_row(logits, classes));
    if (any_nonfinite(logits, static_cast<std::size_t>(classes))) ++e.nonfinite_images;
    if (g.correct[i] && e.predictions.back() != g.labels[i]) ++e.correct_to_wrong;
  }
  return e;
}

Propagation propagate_layers(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                             const GoldenBatch& g, int first_layer, int end_layer, const LayerChangeFn& change) {
  const NetworkRun& golden = g.run;
  const int layers = static_cast<int>(golden.layers.size()), n = g.size(), cols = array.atomic_k;
  Propagation p;
  p.trace.assign(static_cast<std::size_t>(layers), 0);
  const PeFaults healthy;

  // dirty[i]: image i's input to the current layer differs from the fault-free one,
  // and is act[i] (the layer's input block of that image).
  std::vector<char>& dirty = p.dirty;
  std::vector<std::vector<float>>& act = p.act;
  dirty.assign(static_cast<std::size_t>(n), 0);
  act.resize(static_cast<std::size_t>(n));
  std::vector<float> post;
  for (int l = std::max(first_layer, 0); l < std::min(end_layer, layers); ++l) {
    const auto L = static_cast<std::size_t>(l);
    const LayerRun& gl = golden.layers[L];
    const LayerSpec& spec = net.layers[L];
    const ConvShape& s = gl.job.shape;
    const LayerChange c = change(l, dirty);
    std::vector<int> dirty_list;
    for (int i = 0; i < n; ++i)
      if (dirty[i]) dirty_list.push_back(i);
    if (!c.active && dirty_list.empty() && c.bias_channels.empty()) continue;  // this layer's outputs are the fault-free ones
    const Tensor& weights = c.weights ? *c.weights : params.weights[L];
    const float* bias = (c.bias ? *c.bias : params.biases[L]).data();

    const std::size_t in_block = gl.input.size() / static_cast<std::size_t>(n);
    const std::size_t out_block = gl.output.size() / static_cast<std::size_t>(n);
    const auto PQ = static_cast<std::size_t>(s.p()) * static_cast<std::size_t>(s.q());
    const auto K = static_cast<std::size_t>(s.k);
    std::vector<long long> diff(static_cast<std::size_t>(n), 0);
    // Per plane (image, output channel): where its array output is (the fault-free cache
    // unless recomputed); per image: the output channels whose activation is recomputed.
    std::vector<const float*> plane(static_cast<std::size_t>(n) * K);
    for (int i = 0; i < n; ++i)
      for (std::size_t oc = 0; oc < K; ++oc) plane[i * K + oc] = gl.output.data() + i * out_block + oc * PQ;
    std::vector<std::vector<int>> changed(static_cast<std::size_t>(n));
    std::vector<char> whole(static_cast<std::size_t>(n), 0);  // every plane of the image was recomputed
    auto recomputed = [&](int i, int oc, const float* at) {
      const long long d = count_differences(at, plane[i * K + static_cast<std::size_t>(oc)], PQ);
      plane[i * K + static_cast<std::size_t>(oc)] = at;
      if (d == 0) return;
      diff[i] += d;
      changed[i].push_back(oc);
    };
    // Per-thread scratch: a campaign evaluates thousands of faults on the same shapes.
    thread_local std::vector<Tensor> outputs;  // per layer
    thread_local Tensor patched;
    if (outputs.size() < static_cast<std::size_t>(layers)) outputs.resize(static_cast<std::size_t>(layers));
    Tensor& y = outputs[L];
    if (c.active) {
      for (int i : dirty_list)
        if (c.region.images.empty() || !c.region.images[static_cast<std::size_t>(i)] || !c.region.image_columns.empty() ||
            !c.region.groups.empty())
          throw std::logic_error("propagate_changes: the region must hold every plane of the images whose input differs");
      const Mapping mapping(s, array, array.swizzle, gl.job.swizzle_seed);
      const Tensor* input = &gl.input;
      if (!dirty_list.empty()) {
        patched = gl.input;
        for (int i : dirty_list) std::copy(act[i].begin(), act[i].end(), patched.data() + i * in_block);
        input = &patched;
      }
      // Only the region's planes are written and read: no copy of the fault-free output.
      if (y.shape() != gl.output.shape()) y = Tensor(gl.output.shape());
      array_conv_region(gl.job, array, mapping, c.faults ? *c.faults : healthy, c.pattern, *input, weights, c.region,
                        y);
      const ChannelPlace place = place_of_channels(mapping, s.k, cols);
      for (int i = 0; i < n; ++i) {
        std::size_t computed_planes = 0;
        for (int oc = 0; oc < s.k; ++oc) {
          const auto col = static_cast<std::size_t>(place.col[static_cast<std::size_t>(oc)]);
          const auto group = static_cast<std::size_t>(place.group[static_cast<std::size_t>(oc)]);
          const bool computed = (c.region.groups.empty() || c.region.groups[group]) &&
                                ((!c.region.columns.empty() && c.region.columns[col]) ||
                                 (!c.region.images.empty() && c.region.images[static_cast<std::size_t>(i)] &&
                                  (c.region.image_columns.empty() || c.region.image_columns[col])));
          if (!computed) continue;
          recomputed(i, oc, y.data() + i * out_block + static_cast<std::size_t>(oc) * PQ);
          ++computed_planes;
        }
        whole[i] = computed_planes == K;
      }
    } else if (!dirty_list.empty()) {
      // Only the images whose input differs, as a smaller batch on a fault-free array:
      // without a fault an output position's value does not depend on its place in the batch.
      const int d = static_cast<int>(dirty_list.size());
      Tensor xs({d, s.c, s.h, s.w});
      for (int j = 0; j < d; ++j) std::copy(act[dirty_list[j]].begin(), act[dirty_list[j]].end(), xs.data() + j * in_block);
      const ConvJob job = layer_job(spec, d, s.h, s.w, static_cast<std::uint64_t>(l));
      FastEngine engine(array, healthy);
      y = engine.run(job, xs, weights, 0).output;
      for (int j = 0; j < d; ++j) {
        const int i = dirty_list[j];
        for (int oc = 0; oc < s.k; ++oc) recomputed(i, oc, y.data() + j * out_block + static_cast<std::size_t>(oc) * PQ);
        whole[i] = 1;
      }
    }
    // Channels whose bias differs change every image's activation.
    if (!c.bias_channels.empty()) {
      std::vector<char> listed(K);
      for (int i = 0; i < n; ++i) {
        std::fill(listed.begin(), listed.end(), 0);
        for (int oc : changed[i]) listed[static_cast<std::size_t>(oc)] = 1;
        for (int oc : c.bias_channels)
          if (!listed[static_cast<std::size_t>(oc)]) changed[i].push_back(oc);
      }
    }

    // Bias, activation and pooling of the changed planes (channel by channel: the fault-
    // free activation of every other channel stays), then which images now differ.
    const Tensor& next = l + 1 < layers ? golden.layers[L + 1].input : golden.logits;
    const std::size_t next_block = next.size() / static_cast<std::size_t>(n);
    const int P = s.p() / spec.pool, Q = s.q() / spec.pool;
    const std::size_t pooled_plane = static_cast<std::size_t>(P) * static_cast<std::size_t>(Q);
    if (pooled_plane * static_cast<std::size_t>(s.k) != next_block)
      throw std::logic_error("propagate_changes: activation size differs from the cached run");
    std::vector<char> next_dirty(static_cast<std::size_t>(n), 0);
    for (int i = 0; i < n; ++i) {
      p.trace[L] += diff[i];
      if (changed[i].empty()) continue;
      const float* golden_act = next.data() + i * next_block;
      post.assign(golden_act, golden_act + next_block);
      if (whole[i] && changed[i].size() == K) {  // the image's planes lie in order in one block
        bias_relu_pool(plane[i * K], s.k, s.p(), s.q(), bias, spec.relu, net.clip, spec.pool, post.data());
      } else {
        for (int oc : changed[i])
          bias_relu_pool(plane[i * K + static_cast<std::size_t>(oc)], 1, s.p(), s.q(), bias + oc, spec.relu, net.clip,
                         spec.pool, post.data() + static_cast<std::size_t>(oc) * pooled_plane);
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
  return p;
}

BatchEffect classify_propagation(const GoldenBatch& g, const Propagation& p) {
  const std::vector<char>& dirty = p.dirty;
  const int classes = g.run.logits.dim(1), n = g.size();
  BatchEffect e;
  e.trace = p.trace;
  e.predictions = g.predictions;
  for (int i = 0; i < n; ++i) {
    if (!dirty[i]) {
      e.nonfinite_images += g.nonfinite[i];  // unchanged logits: the fault-free prediction
      continue;
    }
    const float* logits = p.act[static_cast<std::size_t>(i)].data();
    e.predictions[i] = argmax_row(logits, classes);
    if (any_nonfinite(logits, static_cast<std::size_t>(classes))) ++e.nonfinite_images;
    if (g.correct[i] && e.predictions[i] != g.labels[i]) ++e.correct_to_wrong;
  }
  return e;
}

BatchEffect propagate_changes(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                              const GoldenBatch& golden, int first_layer, const LayerChangeFn& change) {
  const int layers = static_cast<int>(golden.run.layers.size());
  return classify_propagation(golden, propagate_layers(array, net, params, golden, first_layer, layers, change));
}

}  // namespace accsim
