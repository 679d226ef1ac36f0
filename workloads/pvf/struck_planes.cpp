#include "workloads/pvf/struck_planes.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "kernels/array_conv.h"

namespace accsim {

namespace {

std::size_t row_size(const Tensor& operand) { return operand.size() / static_cast<std::size_t>(operand.dim(0)); }

// The (job, row) pairs the flips' elements land in; none when a tensor's places are unknown.
std::optional<KnownChanges> rows_of(const StruckGroup& g, const Injection& injection) {
  KnownChanges known;
  for (const ParameterFlip& f : injection.flips) {
    const OperandPlaces* places = f.tensor < g.places.size() ? g.places[f.tensor] : nullptr;
    if (!places) return std::nullopt;
    for (const OperandPlace* p = places->begin(f.element); p != places->end(f.element); ++p)
      known.rows.emplace_back(p->job, static_cast<int>(p->at / row_size(g.stationary[p->job])));
  }
  std::sort(known.rows.begin(), known.rows.end());
  known.rows.erase(std::unique(known.rows.begin(), known.rows.end()), known.rows.end());
  return known;
}

// The corrupted rows `channels` of job j: the record's with the flips written in, in order.
std::vector<float> corrupted_rows(const StruckGroup& g, std::size_t j, const std::vector<int>& channels,
                                  const Injection& injection) {
  const Tensor& s = g.stationary[j];
  const std::size_t row = row_size(s);
  std::vector<float> w(channels.size() * row);
  for (std::size_t i = 0; i < channels.size(); ++i)
    std::memcpy(w.data() + i * row, s.data() + static_cast<std::size_t>(channels[i]) * row, row * sizeof(float));
  for (const ParameterFlip& f : injection.flips) {
    const OperandPlaces& places = *g.places[f.tensor];
    for (const OperandPlace* p = places.begin(f.element); p != places.end(f.element); ++p) {
      if (p->job != j) continue;
      const auto i = std::lower_bound(channels.begin(), channels.end(), static_cast<int>(p->at / row)) - channels.begin();
      w[static_cast<std::size_t>(i) * row + p->at % row] = bits_float(f.new_bits);
    }
  }
  return w;
}

// Whether job j's corrupted planes may be computed ahead: a fully-connected job with a
// kept operand and recorded input, on a float array.
bool batchable(const StruckGroup& g, std::size_t j, const GraphRun& golden) {
  if (is_integer(g.array.datatype) || j >= golden.jobs.size() || g.stationary[j].size() == 0) return false;
  const LayerRun& run = golden.jobs[j];
  return run.input.size() > 0 && run.job.shape.p() == 1 && run.job.shape.q() == 1;
}

// One job of the members' corrupted rows of job j against their images stacked; writes
// each member's planes and rows into its known changes (nothing when the rows' mapping
// differs from the whole job's).
void run_together(const StruckGroup& g, std::size_t j, const std::vector<std::size_t>& members,
                  const std::vector<const GraphRun*>& goldens, const std::vector<Injection>& injections,
                  std::vector<std::optional<KnownChanges>>& known) {
  const LayerRun& first = goldens[members.front()]->jobs[j];
  std::vector<std::vector<int>> channels;
  std::vector<int> all;
  for (std::size_t k : members) {
    channels.push_back(known[k]->channels_of(j));
    all.insert(all.end(), channels.back().begin(), channels.back().end());
    if (goldens[k]->jobs[j].input.shape() != first.input.shape()) return;
  }
  ConvJob job = first.job;
  const int n = job.shape.n;
  job.shape.n = n * static_cast<int>(members.size());
  job.shape.k = static_cast<int>(all.size());
  const Mapping small(job.shape, g.array, g.array.swizzle, job.swizzle_seed);
  if (!same_rows(g.array, g.mappings[j], small, all)) return;
  std::vector<int> shape = first.input.shape();
  shape[0] = job.shape.n;
  Tensor input(shape, Tensor::uninitialized);
  const Tensor& s = g.stationary[j];
  Tensor w({job.shape.k, s.dim(1), s.dim(2), s.dim(3)}, Tensor::uninitialized);
  const std::size_t row = row_size(s);
  for (std::size_t m = 0, o = 0; m < members.size(); o += channels[m].size(), ++m) {
    const Tensor& in = goldens[members[m]]->jobs[j].input;
    std::copy_n(in.data(), in.size(), input.data() + m * in.size());
    known[members[m]]->weights = corrupted_rows(g, j, channels[m], injections[members[m]]);
    std::copy_n(known[members[m]]->weights.data(), channels[m].size() * row, w.data() + o * row);
  }
  const PeFaults healthy;
  const Tensor y = array_conv(job, g.array, small, healthy, ErrorPattern{}, input, w);
  for (std::size_t m = 0, o = 0; m < members.size(); o += channels[m].size(), ++m) {
    KnownChanges& kc = *known[members[m]];
    for (int i = 0; i < n; ++i) {
      const float* at = y.data() + (m * static_cast<std::size_t>(n) + static_cast<std::size_t>(i)) * all.size() + o;
      kc.planes.insert(kc.planes.end(), at, at + channels[m].size());  // p = q = 1: a plane is one value
    }
    kc.planes_job = j;
  }
}

// Rows a struck job takes together: two output-channel groups. pvf_bench's whole run
// (callgrind, 2026-11-29) took 4.633 G instructions with one group (8 rows on the small
// preset), 4.612 G with two, 4.627 G with four: planning shared against products wasted.
int rows_together(const ArrayConfig& array) { return 2 * array.atomic_k; }

}  // namespace

std::vector<std::optional<KnownChanges>> struck_changes(const StruckGroup& g, const std::vector<const GraphRun*>& goldens,
                                                        const std::vector<Injection>& injections) {
  std::vector<std::optional<KnownChanges>> known;
  for (const Injection& injection : injections) known.push_back(rows_of(g, injection));
  // Per struck job, its members in order, run rows_together rows at a time.
  std::map<std::size_t, std::vector<std::size_t>> by_job;
  for (std::size_t k = 0; k < known.size(); ++k)
    if (known[k] && !known[k]->rows.empty() && batchable(g, known[k]->rows.front().first, *goldens[k]))
      by_job[known[k]->rows.front().first].push_back(k);
  for (const auto& [j, ks] : by_job) {
    std::vector<std::size_t> members;
    std::size_t rows = 0;
    for (std::size_t k : ks) {
      const std::size_t own = known[k]->channels_of(j).size();
      if (!members.empty() && rows + own > static_cast<std::size_t>(rows_together(g.array))) {
        run_together(g, j, members, goldens, injections, known);
        members.clear();
        rows = 0;
      }
      members.push_back(k);
      rows += own;
    }
    run_together(g, j, members, goldens, injections, known);
  }
  return known;
}

}  // namespace accsim
