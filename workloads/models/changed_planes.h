#pragma once
// Which planes of a rerun's value differ from the recorded one. A value of rank >= 3 is a
// stack of planes, one per index of its first two dimensions ((image, channel) of
// [n, c, h, w]): a fault that changes one column's channels, or one image, changes few of
// them, and the host operators that act on each plane alone (Relu, MaxPool) then need to
// run, be compared and be scanned only on those (whole-tensor passes after a conv1 region
// job were about a fifth of a campaign). Such planes travel stacked: [1, planes, the
// value's other dimensions...], in the order of their plane list (every plane stacked is
// the value's own words: it may keep its shape).
#include <cstddef>
#include <vector>

#include "arch/tensor.h"
#include "workloads/models/graph.h"
#include "workloads/models/value_scan.h"

namespace accsim {

using PlaneList = std::vector<std::size_t>;  // plane indices, ascending

// How many planes a value of `shape` has: the product of its first two dimensions for
// rank >= 3; 0 for lower ranks (not tracked by planes).
std::size_t plane_count(const std::vector<int>& shape);

// The planes whose bits differ between `a` and `b` (the same shape, tracked by planes),
// among `among` (null: all planes).
PlaneList differing_planes(const Tensor& a, const Tensor& b, const PlaneList* among = nullptr);
// The rows of `stacked` (planes `planes` stacked) whose bits differ from those planes of
// `recorded`, by position in `planes`.
std::vector<std::size_t> differing_rows(const Tensor& stacked, const Tensor& recorded, const PlaneList& planes);

// Per image (index of the first dimension) of a value of `shape`: whether one of `planes`
// is its.
std::vector<char> images_of(const PlaneList& planes, const std::vector<int>& shape);

// Whether the node computes each plane of its one output from the same plane of its one
// input alone, bit for bit whatever planes surround it.
bool plane_local(const Node& node);

// The `planes` of `x` stacked.
Tensor gather_planes(const Tensor& x, const PlaneList& planes);
// The `rows` (ascending) of stacked planes, moved down in place (no new tensor).
Tensor keep_rows(Tensor stacked, const std::vector<std::size_t>& rows);
// `recorded` with `planes` replaced by the stacked ones; the second takes `stacked` over
// when it holds every plane.
Tensor with_planes(const Tensor& recorded, const Tensor& stacked, const PlaneList& planes);
Tensor with_planes(const Tensor& recorded, Tensor&& stacked, const PlaneList& planes);

// Per plane of `planes` of a [n, c, ...] value, the entry of its channel in `per_channel`
// [c] (a Conv's bias for its planes stacked).
Tensor plane_channel_values(const Tensor& per_channel, const PlaneList& planes);

// scan_values(faulty, golden) when the two differ in `planes` at most, and golden has no
// NaN or Inf: only those planes are read. `faulty` whole, or only those planes stacked.
ValueScan scan_planes(const Tensor& faulty, const Tensor& golden, const PlaneList& planes);
ValueScan scan_stacked(const Tensor& stacked, const Tensor& golden, const PlaneList& planes);

}  // namespace accsim
