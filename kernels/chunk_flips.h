#pragma once
// A job's transient flips of one kind (ErrorPattern::psums or ::accumulator) in the
// order the chunked kernels visit them: by group and chunk of output positions, then
// as the pattern sorts them (step, position, column). Internal to array_conv.
#include <algorithm>
#include <utility>
#include <vector>

#include "kernels/conv_operands.h"

namespace accsim {

template <class Flip>
class ChunkFlips {
 public:
  using Iter = const Flip* const*;

  explicit ChunkFlips(const std::vector<Flip>& flips) {
    order_.reserve(flips.size());
    for (const Flip& f : flips) order_.push_back(&f);
    if (order_.size() < 2) return;  // sorted (stable_sort would allocate its buffer: a job of one flip is common)
    std::stable_sort(order_.begin(), order_.end(), [](const Flip* x, const Flip* y) { return key(*x) < key(*y); });
  }
  bool empty() const { return order_.empty(); }

  // The flips of one chunk of one group.
  std::pair<Iter, Iter> of(int group, long long chunk) const {
    if (order_.empty()) return {nullptr, nullptr};
    const auto range = std::equal_range(order_.begin(), order_.end(), Key{group, chunk}, Less{});
    return {order_.data() + (range.first - order_.begin()), order_.data() + (range.second - order_.begin())};
  }
  // The flips of `step` among [begin, end); advances `begin` past them (steps are
  // visited in increasing order).
  static std::pair<Iter, Iter> step(Iter& begin, Iter end, int step) {
    while (begin != end && (*begin)->at.step < step) ++begin;
    const Iter first = begin;
    while (begin != end && (*begin)->at.step == step) ++begin;
    return {first, begin};
  }

 private:
  using Key = std::pair<int, long long>;
  static Key key(const Flip& f) { return {f.at.group, f.at.pixel / kChunk}; }
  struct Less {
    bool operator()(const Flip* f, const Key& k) const { return key(*f) < k; }
    bool operator()(const Key& k, const Flip* f) const { return k < key(*f); }
  };
  std::vector<const Flip*> order_;
};

}  // namespace accsim
