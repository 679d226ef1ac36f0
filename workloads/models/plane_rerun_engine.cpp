#include "workloads/models/plane_rerun_engine.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "arch/number_format.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "workloads/campaign/stuck_at_activity.h"

namespace accsim {

namespace {

bool same_shape(const ConvShape& a, const ConvShape& b) {
  return a.n == b.n && a.c == b.c && a.h == b.h && a.w == b.w && a.k == b.k && a.r == b.r && a.s == b.s &&
         a.stride == b.stride && a.pad == b.pad;
}

// dirty[i]: image i of `input` differs from the recorded one.
std::vector<char> dirty_images(const Tensor& input, const Tensor& recorded) {
  const int n = input.dim(0);
  const std::size_t per = input.size() / static_cast<std::size_t>(n);
  std::vector<char> dirty(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i)
    dirty[static_cast<std::size_t>(i)] =
        std::memcmp(input.data() + i * per, recorded.data() + i * per, per * sizeof(float)) != 0;
  return dirty;
}

// The planes that can differ from the record (see the header).
ConvRegion planes_that_may_differ(const ArrayConfig& array, const PeFaults& faults, const LayerRun& record,
                                  const Tensor& weights, const Mapping& mapping, const ErrorPattern& pattern,
                                  std::vector<char> dirty) {
  ConvRegion region;
  region.columns.assign(static_cast<std::size_t>(array.atomic_k), 0);
  for (const HardwareFault& f : faults.faults())
    if (f.permanent() && stuck_at_acts(f, faults, array, record, weights, mapping, dirty))
      region.columns[static_cast<std::size_t>(f.col)] = 1;
  const bool any_dirty = std::find(dirty.begin(), dirty.end(), 1) != dirty.end();
  region.images = std::move(dirty);
  if (pattern.empty()) return region;
  // The struck planes; with dirty images too (not in one graph campaign run: a node a
  // transient strikes ran on unchanged inputs), every column of the images.
  const long long PQ = static_cast<long long>(record.job.shape.p()) * record.job.shape.q();
  if (!any_dirty) region.image_columns.assign(static_cast<std::size_t>(array.atomic_k), 0);
  const auto strike = [&](const ElementKey& at) {
    region.images[static_cast<std::size_t>(at.pixel / PQ)] = 1;
    if (!region.image_columns.empty()) region.image_columns[static_cast<std::size_t>(at.col)] = 1;
  };
  for (const auto& p : pattern.psums) strike(p.at);
  for (const auto& a : pattern.accumulator) strike(a.at);
  return region;
}

// The output channels (rows of the stationary operand [k, ...]) whose weights differ.
// Rows are compared a span of about 4 KB at a time and one by one only in a span that
// differs: a corrupted operand differs in a few rows, and a call per row cost more than
// the compare of fc1's 1 KB rows.
std::vector<int> changed_channels(const Tensor& recorded, const Tensor& weights) {
  std::vector<int> channels;
  const int k = weights.dim(0);
  const std::size_t row = weights.size() / static_cast<std::size_t>(k);
  const int span = static_cast<int>(std::max<std::size_t>(1, 1024 / std::max<std::size_t>(row, 1)));
  const auto differ = [&](int first, int rows) {
    const std::size_t at = static_cast<std::size_t>(first) * row;
    return std::memcmp(recorded.data() + at, weights.data() + at, static_cast<std::size_t>(rows) * row * sizeof(float)) != 0;
  };
  for (int first = 0; first < k; first += span) {
    const int rows = std::min(span, k - first);
    if (!differ(first, rows)) continue;
    for (int oc = first; oc < first + rows; ++oc)
      if (differ(oc, 1)) channels.push_back(oc);
  }
  return channels;
}

// On a fault-free array, corrupted weights change only the planes of their output
// channels, computed by the columns serving them (in the groups holding them, unless an
// image's input differs too: it needs every plane), and every plane of dirty images.
ConvRegion planes_of_channels(const ArrayConfig& array, const Mapping& mapping, const std::vector<int>& channels,
                              std::vector<char> dirty) {
  ConvRegion region;
  region.columns.assign(static_cast<std::size_t>(array.atomic_k), 0);
  const bool clean = std::find(dirty.begin(), dirty.end(), 1) == dirty.end();
  if (clean) region.groups.assign(static_cast<std::size_t>(mapping.groups()), 0);
  std::vector<int> served;
  for (int group = 0; group < mapping.groups(); ++group) {
    mapping.cols_to_channels(group, served);
    for (int col = 0; col < array.atomic_k; ++col)
      if (std::binary_search(channels.begin(), channels.end(), served[static_cast<std::size_t>(col)])) {
        region.columns[static_cast<std::size_t>(col)] = 1;
        if (clean) region.groups[static_cast<std::size_t>(group)] = 1;
      }
  }
  region.images = std::move(dirty);
  return region;
}

// Copies `planes` ([n][channels][plane]) over the channels' planes of `out` [n, k, p, q].
void write_planes(const std::vector<int>& channels, const float* planes, Tensor& out) {
  const std::size_t plane = static_cast<std::size_t>(out.dim(2)) * static_cast<std::size_t>(out.dim(3));
  const auto k = static_cast<std::size_t>(out.dim(1));
  for (int n = 0; n < out.dim(0); ++n)
    for (std::size_t i = 0; i < channels.size(); ++i, planes += plane)
      std::memcpy(out.data() + (static_cast<std::size_t>(n) * k + static_cast<std::size_t>(channels[i])) * plane,
                  planes, plane * sizeof(float));
}

// The region of every plane of n images (every column's channels).
ConvRegion every_plane(int n, const ArrayConfig& array) {
  ConvRegion all;
  all.images.assign(static_cast<std::size_t>(n), 1);
  all.columns.assign(static_cast<std::size_t>(array.atomic_k), 1);
  return all;
}

// A job of the corrupted output channels alone (clean images, fault-free float array):
// each channel's planes come out as in the whole job, since no column's PE has a mask
// and a channel's sums depend only on the input channels its group's rows hold per block;
// the small job plans only its own groups (an fc1 job: 1 of 15). Taken when the small
// job's mapping gives every channel the same rows in every block (always without
// swizzling; int8 jobs never get here, run() sends them whole). It runs as a region
// holding every plane (every_plane): the kernel lays a region out in bands of output
// rows when they cost less than its chunks (kernels/float_conv.cpp, by_bands), which a
// whole job never does, and one column's chunks are bound by their gathers (conv2's
// channel: 39 k instructions in chunks, 8.6 k in bands, pvf30). Writes the channels'
// planes into `out`; false when not taken.
bool channels_alone(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const PeFaults& healthy,
                    const std::vector<int>& channels, const Tensor& input, const Tensor& weights, Tensor& out) {
  ConvJob alone = job;
  alone.shape.k = static_cast<int>(channels.size());
  const Mapping small(alone.shape, array, array.swizzle, job.swizzle_seed);
  if (!same_rows(array, mapping, small, channels)) return false;
  const std::size_t per_channel = weights.size() / static_cast<std::size_t>(weights.dim(0));
  Tensor w({alone.shape.k, job.shape.c, job.shape.r, job.shape.s}, Tensor::uninitialized);
  for (std::size_t i = 0; i < channels.size(); ++i)
    std::memcpy(w.data() + i * per_channel, weights.data() + channels[i] * per_channel, per_channel * sizeof(float));
  Tensor y({alone.shape.n, alone.shape.k, alone.shape.p(), alone.shape.q()}, Tensor::uninitialized);
  array_conv_region(alone, array, small, healthy, ErrorPattern{}, input, w, every_plane(alone.shape.n, array), y);
  write_planes(channels, y.data(), out);
  return true;
}

// Whether the region computes every plane of the job: every image with all its columns and
// no group hint (a stuck-at's rerun past the struck layer, where every image's input differs).
bool selects_everything(const ConvRegion& r) {
  const auto all = [](const std::vector<char>& v) { return std::find(v.begin(), v.end(), 0) == v.end(); };
  return all(r.images) && r.image_columns.empty() && r.groups.empty();
}

// The output a region's run starts from: the record's planes, which the region leaves as
// they are, or no copy when it computes them all (the copy was 4.5% of a campaign) or when
// the caller reads only the planes it computes (`planes_only`).
Tensor start_output(const Tensor& recorded, const ConvRegion& region, bool planes_only) {
  return selects_everything(region) || planes_only ? Tensor(recorded.shape(), Tensor::uninitialized) : recorded;
}

// The output planes (image * k + channel) a region run computes, ascending: those of the
// channels whose column it selects for every image, or for the image (conv_selection.h),
// in the groups it does not skip. The others keep the values the output started with.
std::vector<std::size_t> region_planes(const ConvRegion& r, const Mapping& mapping, const ConvShape& shape) {
  std::vector<int> column_of(static_cast<std::size_t>(shape.k), -1), served;
  for (int group = 0; group < mapping.groups(); ++group) {
    if (!r.groups.empty() && !r.groups[static_cast<std::size_t>(group)]) continue;
    mapping.cols_to_channels(group, served);
    for (std::size_t col = 0; col < served.size(); ++col)
      if (served[col] >= 0 && served[col] < shape.k) column_of[static_cast<std::size_t>(served[col])] = static_cast<int>(col);
  }
  std::vector<std::size_t> planes;
  const auto K = static_cast<std::size_t>(shape.k);
  for (std::size_t n = 0; n < static_cast<std::size_t>(shape.n); ++n)
    for (std::size_t k = 0; k < K; ++k) {
      if (column_of[k] < 0) continue;
      const auto c = static_cast<std::size_t>(column_of[k]);
      const bool of_image = r.images[n] && (r.image_columns.empty() || r.image_columns[c]);
      if (r.columns[c] || of_image) planes.push_back(n * K + k);
    }
  return planes;
}

bool selects_nothing(const ConvRegion& r) {
  const auto none = [](const std::vector<char>& v) { return std::find(v.begin(), v.end(), 1) == v.end(); };
  return none(r.columns) && (none(r.images) || (!r.image_columns.empty() && none(r.image_columns)));
}

}  // namespace

bool same_rows(const ArrayConfig& array, const Mapping& whole, const Mapping& small, const std::vector<int>& channels) {
  if (array.swizzle == SwizzlePolicy::none) return true;
  std::vector<int> want, got;
  for (std::size_t i = 0; i < channels.size(); ++i)
    for (int b = 0; b < whole.blocks(); ++b) {
      whole.rows_to_channels(channels[i] / array.atomic_k, b, want);
      small.rows_to_channels(static_cast<int>(i) / array.atomic_k, b, got);
      if (want != got) return false;
    }
  return true;
}

PlaneRerunEngine::PlaneRerunEngine(const ArrayConfig& array, const PeFaults& faults, const GraphRun& recorded,
                                   const std::vector<Tensor>& stationary, const std::vector<Mapping>& mappings,
                                   const KnownChanges* known)
    : array_(array), faults_(faults), recorded_(recorded), stationary_(stationary), mappings_(mappings), known_(known),
      fast_(array, faults) {}

std::vector<int> KnownChanges::channels_of(std::size_t j) const {
  std::vector<int> channels;
  const auto first = std::lower_bound(rows.begin(), rows.end(), std::make_pair(j, 0));
  for (auto it = first; it != rows.end() && it->first == j; ++it) channels.push_back(it->second);
  return channels;
}

std::vector<int> PlaneRerunEngine::corrupted_channels(std::size_t j, const Tensor& recorded_weights,
                                                      const Tensor& weights) const {
  return known_ ? known_->channels_of(j) : changed_channels(recorded_weights, weights);
}

bool PlaneRerunEngine::known_planes(std::size_t j, const std::vector<int>& channels, const Tensor& weights,
                                    Tensor& out) const {
  if (!known_ || known_->planes_job != j) return false;
  const std::size_t row = weights.size() / static_cast<std::size_t>(weights.dim(0));
  if (known_->weights.size() != channels.size() * row) return false;
  for (std::size_t i = 0; i < channels.size(); ++i)
    if (std::memcmp(known_->weights.data() + i * row, weights.data() + static_cast<std::size_t>(channels[i]) * row,
                    row * sizeof(float)) != 0)
      return false;
  write_planes(channels, known_->planes.data(), out);
  return true;
}

std::vector<char> PlaneRerunEngine::job_dirty_images(const Tensor& input, const Tensor& recorded_input) const {
  const auto n = static_cast<std::size_t>(input.dim(0));
  if (same_.input) return std::vector<char>(n, 0);
  if (same_.dirty_images.size() == n) return same_.dirty_images;
  return dirty_images(input, recorded_input);
}

long long PlaneRerunEngine::recorded_job(const ConvJob& job, const Tensor& input, long long start_cycle) const {
  const auto& jobs = recorded_.jobs;
  const auto it = std::lower_bound(jobs.begin(), jobs.end(), start_cycle,
                                   [](const LayerRun& r, long long cycle) { return r.start_cycle < cycle; });
  if (it == jobs.end() || it->start_cycle != start_cycle || it->job.layer != job.layer ||
      !same_shape(it->job.shape, job.shape) || it->input.shape() != input.shape())
    return -1;
  return it - jobs.begin();
}

void PlaneRerunEngine::expect(SameOperands same) {
  same_ = std::move(same);
  jobs_ = 0;
  computed_.reset();
}

std::optional<std::vector<std::size_t>> PlaneRerunEngine::computed_planes() const {
  if (jobs_ != 1 || !computed_) return std::nullopt;
  return region_planes(computed_->region, *computed_->mapping, computed_->shape);
}

JobResult PlaneRerunEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  if (same_.planes_only && jobs_ > 0) throw std::logic_error("PlaneRerunEngine: planes_only for a node of several jobs");
  ++jobs_;
  computed_.reset();
  const long long j = recorded_job(job, input, start_cycle);
  if (j < 0) return fast_.run(job, input, weights, start_cycle);
  const LayerRun& record = recorded_.jobs[static_cast<std::size_t>(j)];
  const Mapping& mapping = mappings_[static_cast<std::size_t>(j)];
  const Tensor& recorded_weights = stationary_[static_cast<std::size_t>(j)];
  // A record keeps [k, c, 1, 1] where a rerun's Gemm hands the matrix [k, c]: the same weights (arch/engine.h).
  if (job_weight_dims(recorded_weights) != job_weight_dims(weights)) return fast_.run(job, input, weights, start_cycle);
  // Corrupted parameters (PVF): one pass over the operand finds whether and where it differs.
  const std::vector<int> channels = same_.stationary ? std::vector<int>{}
                                                     : corrupted_channels(static_cast<std::size_t>(j), recorded_weights, weights);
  std::vector<char> dirty = job_dirty_images(input, record.input);
  const bool clean = std::find(dirty.begin(), dirty.end(), 1) == dirty.end();
  // int8 operands scale by their whole tensor (arch/array_operands.h): a changed weight or
  // image may change every plane.
  if (is_integer(array_.datatype) && (!channels.empty() || !clean)) return fast_.run(job, input, weights, start_cycle);
  if (!channels.empty()) {
    if (!faults_.faults().empty()) return fast_.run(job, input, weights, start_cycle);
    JobResult r{record.output, record.timing};
    if (clean && known_planes(static_cast<std::size_t>(j), channels, weights, r.output)) return r;
    if (clean && channels_alone(job, array_, mapping, faults_, channels, input, weights, r.output)) return r;
    const ConvRegion region = planes_of_channels(array_, mapping, channels, std::move(dirty));
    array_conv_region(job, array_, mapping, faults_, ErrorPattern{}, input, weights, region, r.output);
    return r;
  }
  const ErrorPattern pattern = map_transients(job, array_, faults_, start_cycle);
  const ConvRegion region =
      planes_that_may_differ(array_, faults_, record, weights, mapping, pattern, std::move(dirty));
  JobResult r{start_output(record.output, region, same_.planes_only), record.timing};
  if (!selects_nothing(region)) array_conv_region(job, array_, mapping, faults_, pattern, input, weights, region, r.output);
  if (!selects_everything(region)) computed_ = ComputedRegion{region, &mapping, job.shape};
  return r;
}

}  // namespace accsim
