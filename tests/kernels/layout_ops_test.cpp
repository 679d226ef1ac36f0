// Layout operators against ONNX's documented examples, hand-computed values, and references
// that handle one output element at a time through its multi-index (slice: CPython's slice
// index adjustment, the semantics ONNX Slice copies from numpy).
#include "kernels/layout_ops.h"

#include <gtest/gtest.h>

#include <climits>
#include <numeric>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::unflatten;

using testing::random_tensor;

Tensor make(std::vector<int> shape, std::vector<float> v) {
  Tensor t(std::move(shape));
  t.values().assign(v.begin(), v.end());
  return t;
}

Tensor iota(std::vector<int> shape) {
  Tensor t(std::move(shape));
  std::iota(t.values().begin(), t.values().end(), 0.0f);
  return t;
}

std::size_t flatten(const std::vector<int>& idx, const std::vector<int>& shape) {
  std::size_t f = 0;
  for (std::size_t i = 0; i < shape.size(); ++i) f = f * shape[i] + idx[i];
  return f;
}

std::vector<int> random_shape(Rng& rng, std::size_t rank, int max_dim = 4) {
  std::vector<int> s(rank);
  for (auto& d : s) d = 1 + static_cast<int>(rng.below(max_dim));
  return s;
}

TEST(LayoutOps, TransposeRandomPermutationsMatchIndexReference) {
  Rng rng(1341);
  for (int trial = 0; trial < 60; ++trial) {
    const std::size_t rank = 1 + rng.below(5);
    const Tensor x = random_tensor(random_shape(rng, rank), rng);
    std::vector<int> perm(rank);
    std::iota(perm.begin(), perm.end(), 0);
    for (std::size_t i = rank; i-- > 1;) std::swap(perm[i], perm[rng.below(i + 1)]);
    const Tensor y = transpose(x, perm);
    for (std::size_t f = 0; f < y.size(); ++f) {
      const auto yi = unflatten(f, y.shape());
      std::vector<int> xi(rank);
      for (std::size_t i = 0; i < rank; ++i) xi[perm[i]] = yi[i];
      ASSERT_EQ(y[f], x[flatten(xi, x.shape())]) << "trial " << trial << " element " << f;
    }
  }
}

TEST(LayoutOps, TransposeEmptyPermReversesAndBadPermsThrow) {
  const Tensor x = iota({2, 3, 4});
  const Tensor y = transpose(x, {});
  EXPECT_EQ(y.shape(), (std::vector<int>{4, 3, 2}));
  EXPECT_EQ(y[1], 12.0f);  // y[0][0][1] = x[1][0][0]
  EXPECT_EQ(y[2], 4.0f);   // y[0][1][0] = x[0][1][0]
  EXPECT_EQ(transpose(Tensor({}, 5.0f), {})[0], 5.0f);
  EXPECT_THROW(transpose(x, {0, 1}), std::invalid_argument);
  EXPECT_THROW(transpose(x, {0, 1, 1}), std::invalid_argument);
  EXPECT_THROW(transpose(x, {0, 1, 3}), std::invalid_argument);
  EXPECT_THROW(transpose(x, {0, 1, -1}), std::invalid_argument);
}

TEST(LayoutOps, ConcatHandComputedAndNegativeAxis) {
  const Tensor a = make({2, 2}, {1, 2, 3, 4}), b = make({2, 1}, {9, 8});
  const Tensor y = concat({&a, &b}, -1);
  EXPECT_EQ(y.shape(), (std::vector<int>{2, 3}));
  EXPECT_EQ(y.values(), (std::vector<float>{1, 2, 9, 3, 4, 8}));
  const Tensor c = make({1, 2}, {5, 6}), empty({0, 2});
  EXPECT_EQ(concat({&a, &empty, &c}, 0).values(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_THROW(concat({&a, &b}, 0), std::invalid_argument);
  EXPECT_THROW(concat({&a, &b}, 2), std::invalid_argument);
  const Tensor r3({2, 2, 1});
  EXPECT_THROW(concat({&a, &r3}, 0), std::invalid_argument);
  EXPECT_THROW(concat({}, 0), std::invalid_argument);
}

TEST(LayoutOps, ConcatRandomMatchesIndexReferenceAndSplitUndoesIt) {
  Rng rng(1342);
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t rank = 1 + rng.below(4);
    const int axis = static_cast<int>(rng.below(rank));
    auto shape = random_shape(rng, rank);
    std::vector<Tensor> parts;
    std::vector<int> sizes;
    for (int k = 1 + static_cast<int>(rng.below(3)); k > 0; --k) {
      shape[axis] = static_cast<int>(rng.below(4));  // 0 allowed
      parts.push_back(random_tensor(shape, rng));
      sizes.push_back(shape[axis]);
    }
    std::vector<const Tensor*> ptrs;
    for (const auto& p : parts) ptrs.push_back(&p);
    const Tensor y = concat(ptrs, trial % 2 ? axis : axis - static_cast<int>(rank));
    for (std::size_t f = 0; f < y.size(); ++f) {
      auto idx = unflatten(f, y.shape());
      std::size_t part = 0;
      while (idx[axis] >= sizes[part]) idx[axis] -= sizes[part++];
      ASSERT_EQ(y[f], parts[part][flatten(idx, parts[part].shape())]) << "trial " << trial;
    }
    const auto back = split(y, axis, sizes);
    ASSERT_EQ(back.size(), parts.size());
    for (std::size_t k = 0; k < parts.size(); ++k) {
      EXPECT_EQ(back[k].shape(), parts[k].shape());
      EXPECT_EQ(back[k].values(), parts[k].values());
    }
  }
}

TEST(LayoutOps, SplitHandComputedAndBadSizesThrow) {
  const auto ys = split(iota({2, 3}), -1, {1, 2});
  EXPECT_EQ(ys[0].values(), (std::vector<float>{0, 3}));
  EXPECT_EQ(ys[1].values(), (std::vector<float>{1, 2, 4, 5}));
  EXPECT_THROW(split(iota({2, 3}), 1, {1, 1}), std::invalid_argument);
  EXPECT_THROW(split(iota({2, 3}), 1, {4, -1}), std::invalid_argument);
  EXPECT_THROW(split(iota({2, 3}), 2, {2}), std::invalid_argument);
  EXPECT_THROW(split(iota({2, 3}), 1, {}), std::invalid_argument);
}

// ONNX operator docs, Slice: data [[1,2,3,4],[5,6,7,8]].
TEST(LayoutOps, SliceOnnxDocumentExamples) {
  const Tensor x = make({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor a = slice(x, {1, 0}, {2, 3}, {0, 1}, {1, 2});
  EXPECT_EQ(a.shape(), (std::vector<int>{1, 2}));
  EXPECT_EQ(a.values(), (std::vector<float>{5, 7}));
  const Tensor b = slice(x, {0, 1}, {-1, 1000}, {}, {});
  EXPECT_EQ(b.shape(), (std::vector<int>{1, 3}));
  EXPECT_EQ(b.values(), (std::vector<float>{2, 3, 4}));
}

TEST(LayoutOps, SliceNegativeStepsAndInt64Extremes) {
  const Tensor x = iota({5});
  EXPECT_EQ(slice(x, {LLONG_MAX}, {LLONG_MIN}, {0}, {-1}).values(), (std::vector<float>{4, 3, 2, 1, 0}));
  EXPECT_EQ(slice(x, {-1}, {-6}, {-1}, {-2}).values(), (std::vector<float>{4, 2, 0}));
  EXPECT_EQ(slice(x, {1}, {LLONG_MAX}, {0}, {1}).values(), (std::vector<float>{1, 2, 3, 4}));
  // ONNX clamps a negative step's start to [0, dim - 1]: element 0 stays (numpy would give nothing).
  EXPECT_EQ(slice(x, {-7}, {LLONG_MIN}, {0}, {-1}).values(), (std::vector<float>{0}));
  EXPECT_EQ(slice(x, {3}, {1}, {0}, {1}).size(), 0u);  // empty, not an error
  EXPECT_EQ(slice(x, {1}, {3}, {0}, {-1}).size(), 0u);
  EXPECT_THROW(slice(x, {0}, {1}, {0}, {0}), std::invalid_argument);
  EXPECT_THROW(slice(x, {0}, {1}, {1}, {1}), std::invalid_argument);
  EXPECT_THROW(slice(iota({2, 2}), {0, 0}, {1, 1}, {1, -1}, {}), std::invalid_argument);
  EXPECT_THROW(slice(x, {0, 0}, {1}, {}, {}), std::invalid_argument);
}

// CPython's PySlice_AdjustIndices: the index list of x[start:stop:step] along one axis. One
// deliberate difference: ONNX's spec clamps a negative step's start to [0, dim - 1], so a start
// below -dim keeps element 0 where Python's would give nothing (ONNX Runtime does the same).
std::vector<int> python_slice(long long start, long long stop, long long step, long long len) {
  auto adjust = [&](long long v, bool is_start) {
    if (v < 0) {
      v += len;
      if (v < 0) v = step < 0 && !is_start ? -1 : 0;
    } else if (v >= len) {
      v = step < 0 ? len - 1 : len;
    }
    return v;
  };
  std::vector<int> idx;
  for (long long i = adjust(start, true), e = adjust(stop, false); step > 0 ? i < e : i > e; i += step)
    idx.push_back(static_cast<int>(i));
  return idx;
}

TEST(LayoutOps, SliceRandomMatchesPythonSlicing) {
  Rng rng(1343);
  const long long picks[] = {LLONG_MIN, -7, -3, -1, 0, 1, 2, 4, 6, LLONG_MAX};
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t rank = 1 + rng.below(3);
    const Tensor x = random_tensor(random_shape(rng, rank, 5), rng);
    std::vector<long long> starts, ends, steps;
    std::vector<int> axes;
    std::vector<std::vector<int>> lists(rank);
    for (std::size_t d = 0; d < rank; ++d) lists[d] = python_slice(0, LLONG_MAX, 1, x.dim(d));
    for (std::size_t d = 0; d < rank; ++d) {
      if (rng.below(3) == 0) continue;  // axis left whole
      starts.push_back(picks[rng.below(10)]);
      ends.push_back(picks[rng.below(10)]);
      const long long step_choices[] = {-3, -2, -1, 1, 2, 3};
      steps.push_back(step_choices[rng.below(6)]);
      axes.push_back(rng.below(2) ? static_cast<int>(d) : static_cast<int>(d) - static_cast<int>(rank));
      lists[d] = python_slice(starts.back(), ends.back(), steps.back(), x.dim(d));
    }
    const Tensor y = slice(x, starts, ends, axes, steps);
    ASSERT_EQ(y.rank(), rank);
    for (std::size_t d = 0; d < rank; ++d) ASSERT_EQ(y.dim(d), static_cast<int>(lists[d].size())) << trial;
    for (std::size_t f = 0; f < y.size(); ++f) {
      auto idx = unflatten(f, y.shape());
      for (std::size_t d = 0; d < rank; ++d) idx[d] = lists[d][idx[d]];
      ASSERT_EQ(y[f], x[flatten(idx, x.shape())]) << "trial " << trial;
    }
  }
}

// ONNX operator docs, Gather examples (axis 0 and axis 1).
TEST(LayoutOps, GatherOnnxDocumentExamples) {
  const Tensor d0 = make({3, 2}, {1.0f, 1.2f, 2.3f, 3.4f, 4.5f, 5.7f});
  const Tensor y0 = gather(d0, {0, 1, 1, 2}, {2, 2}, 0);
  EXPECT_EQ(y0.shape(), (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(y0.values(), (std::vector<float>{1.0f, 1.2f, 2.3f, 3.4f, 2.3f, 3.4f, 4.5f, 5.7f}));
  const Tensor d1 = make({3, 3}, {1.0f, 1.2f, 1.9f, 2.3f, 3.4f, 3.9f, 4.5f, 5.7f, 5.9f});
  const Tensor y1 = gather(d1, {0, 2}, {1, 2}, 1);
  EXPECT_EQ(y1.shape(), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(y1.values(), (std::vector<float>{1.0f, 1.9f, 2.3f, 3.9f, 4.5f, 5.9f}));
}

TEST(LayoutOps, GatherNegativeScalarAndOutOfRangeIndices) {
  const Tensor emb = iota({4, 3});  // an embedding table: 4 rows of 3
  EXPECT_EQ(gather(emb, {-1, 0}, {2}, 0).values(), (std::vector<float>{9, 10, 11, 0, 1, 2}));
  const Tensor s = gather(emb, {2}, {}, 0);  // scalar index removes the axis
  EXPECT_EQ(s.shape(), (std::vector<int>{3}));
  EXPECT_EQ(s.values(), (std::vector<float>{6, 7, 8}));
  EXPECT_EQ(gather(emb, {-3}, {}, -1).values(), (std::vector<float>{0, 3, 6, 9}));
  EXPECT_THROW(gather(emb, {4}, {1}, 0), std::invalid_argument);
  EXPECT_THROW(gather(emb, {-5}, {1}, 0), std::invalid_argument);
  EXPECT_THROW(gather(emb, {0, 1}, {3}, 0), std::invalid_argument);
  EXPECT_THROW(gather(emb, {0}, {1}, 2), std::invalid_argument);
}

TEST(LayoutOps, PadSpatialAsymmetric) {
  const Tensor x = make({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor y = pad_spatial(x, {1, 0, 0, 2}, -1.0f);  // top 1, left 0, bottom 0, right 2
  EXPECT_EQ(y.shape(), (std::vector<int>{1, 1, 3, 4}));
  EXPECT_EQ(y.values(), (std::vector<float>{-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1}));
  const Tensor z = pad_spatial(iota({2, 3, 2, 3}), {0, 0, 0, 0});
  EXPECT_EQ(z.values(), iota({2, 3, 2, 3}).values());
  EXPECT_THROW(pad_spatial(x, {1, 0, 0}), std::invalid_argument);
  EXPECT_THROW(pad_spatial(x, {1, 0, -1, 0}), std::invalid_argument);
  EXPECT_THROW(pad_spatial(Tensor({2, 2}), {0, 0, 0, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
