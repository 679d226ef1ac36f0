#include "workloads/models/changed_planes.h"

#include <cstring>
#include <set>
#include <stdexcept>
#include <string>

namespace accsim {

namespace {

std::size_t plane_size(const Tensor& t) {
  const std::size_t planes = plane_count(t.shape());
  return planes ? t.size() / planes : 0;
}

bool same_words(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

void check_stacked(const Tensor& stacked, const Tensor& whole, const PlaneList& planes, const char* who) {
  if (stacked.size() != planes.size() * plane_size(whole))
    throw std::invalid_argument(std::string(who) + ": " + stacked.shape_string() + " as planes of " + whole.shape_string());
}

// scan_values summed over plane i of `faulty` (at faulty_plane(i)) against `planes[i]` of
// `golden`; a run of consecutive planes in one call (each plane of a small value, 64 words
// of conv2, cost a call).
template <typename FaultyPlane>
ValueScan scan_each(const Tensor& golden, const PlaneList& planes, FaultyPlane faulty_plane) {
  const std::size_t size = plane_size(golden);
  ValueScan total;
  for (std::size_t i = 0, end = 0; i < planes.size(); i = end) {
    for (end = i + 1; end < planes.size() && planes[end] == planes[i] + (end - i);) ++end;
    const ValueScan s = scan_values(faulty_plane(i), golden.data() + planes[i] * size, (end - i) * size);
    total.differences += s.differences;
    total.nonfinite = total.nonfinite || s.nonfinite;
  }
  return total;
}

}  // namespace

std::size_t plane_count(const std::vector<int>& shape) {
  return shape.size() < 3 ? 0 : static_cast<std::size_t>(shape[0]) * static_cast<std::size_t>(shape[1]);
}

PlaneList differing_planes(const Tensor& a, const Tensor& b, const PlaneList* among) {
  if (a.shape() != b.shape() || plane_count(a.shape()) == 0)
    throw std::invalid_argument("differing_planes: " + a.shape_string() + " and " + b.shape_string());
  const std::size_t size = plane_size(a);
  const auto differs = [&](std::size_t plane) { return !same_words(a.data() + plane * size, b.data() + plane * size, size); };
  PlaneList differ;
  if (among) {
    for (const std::size_t plane : *among)
      if (differs(plane)) differ.push_back(plane);
  } else {
    for (std::size_t plane = 0; plane < plane_count(a.shape()); ++plane)
      if (differs(plane)) differ.push_back(plane);
  }
  return differ;
}

std::vector<std::size_t> differing_rows(const Tensor& stacked, const Tensor& recorded, const PlaneList& planes) {
  check_stacked(stacked, recorded, planes, "differing_rows");
  const std::size_t size = plane_size(recorded);
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < planes.size(); ++i)
    if (!same_words(stacked.data() + i * size, recorded.data() + planes[i] * size, size)) rows.push_back(i);
  return rows;
}

std::vector<char> images_of(const PlaneList& planes, const std::vector<int>& shape) {
  std::vector<char> images(static_cast<std::size_t>(shape.at(0)), 0);
  for (const std::size_t plane : planes) images.at(plane / static_cast<std::size_t>(shape.at(1))) = 1;
  return images;
}

// Relu is elementwise; MaxPool takes each window's maximum within one plane (exact, in any
// order of windows). Other per-plane operators may round by position (vector bodies and
// scalar tails): not listed until tested.
bool plane_local(const Node& node) {
  static const std::set<std::string> ops = {"Relu", "MaxPool"};
  return ops.count(node.op) > 0 && node.inputs.size() == 1 && node.outputs.size() == 1;
}

Tensor gather_planes(const Tensor& x, const PlaneList& planes) {
  std::vector<int> shape = x.shape();
  shape[0] = 1;
  shape[1] = static_cast<int>(planes.size());
  Tensor stacked(shape, Tensor::uninitialized);
  const std::size_t size = plane_size(x);
  for (std::size_t i = 0; i < planes.size(); ++i)
    std::memcpy(stacked.data() + i * size, x.data() + planes[i] * size, size * sizeof(float));
  return stacked;
}

Tensor keep_rows(Tensor stacked, const std::vector<std::size_t>& rows) {
  if (rows.size() == plane_count(stacked.shape())) return stacked;
  const std::size_t size = plane_size(stacked);
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i] != i) std::memmove(stacked.data() + i * size, stacked.data() + rows[i] * size, size * sizeof(float));
  std::vector<int> shape = stacked.shape();
  shape[0] = 1;
  shape[1] = static_cast<int>(rows.size());
  stacked.values().resize(rows.size() * size);
  return std::move(stacked).reshaped(shape);
}

Tensor with_planes(const Tensor& recorded, const Tensor& stacked, const PlaneList& planes) {
  check_stacked(stacked, recorded, planes, "with_planes");
  Tensor out = recorded;
  const std::size_t size = plane_size(out);
  for (std::size_t i = 0; i < planes.size(); ++i)
    std::memcpy(out.data() + planes[i] * size, stacked.data() + i * size, size * sizeof(float));
  return out;
}

Tensor plane_channel_values(const Tensor& per_channel, const PlaneList& planes) {
  Tensor values({static_cast<int>(planes.size())}, Tensor::uninitialized);
  for (std::size_t i = 0; i < planes.size(); ++i) values[i] = per_channel[planes[i] % per_channel.size()];
  return values;
}

Tensor with_planes(const Tensor& recorded, Tensor&& stacked, const PlaneList& planes) {
  check_stacked(stacked, recorded, planes, "with_planes");
  if (planes.size() == plane_count(recorded.shape())) return std::move(stacked).reshaped(recorded.shape());
  return with_planes(recorded, static_cast<const Tensor&>(stacked), planes);
}

ValueScan scan_planes(const Tensor& faulty, const Tensor& golden, const PlaneList& planes) {
  const std::size_t size = plane_size(golden);
  return scan_each(golden, planes, [&](std::size_t i) { return faulty.data() + planes[i] * size; });
}

ValueScan scan_stacked(const Tensor& stacked, const Tensor& golden, const PlaneList& planes) {
  check_stacked(stacked, golden, planes, "scan_stacked");
  const std::size_t size = plane_size(golden);
  return scan_each(golden, planes, [&](std::size_t i) { return stacked.data() + i * size; });
}

}  // namespace accsim
