// Spare buffers: a recycled tensor's storage goes to the next unfilled tensor of its size
// on the same thread, within the per-thread bounds; and every kernel that takes an
// unfilled output writes all of it (a spare poisoned with a NaN pattern changes nothing).
#include "kernels/spare_buffers.h"

#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <thread>

#include "kernels/broadcast_ops.h"
#include "kernels/layout_ops.h"
#include "kernels/normalization.h"
#include "test_util.h"

namespace accsim {
namespace {

void drop_spares() {
  release_spare_buffers();
  ASSERT_EQ(spare_bytes(), 0u);
}

TEST(SpareBuffers, ARecycledBufferServesTheNextTensorOfItsSize) {
  drop_spares();
  Tensor t({64, 64});
  const float* storage = t.data();
  recycle_tensor(std::move(t));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(spare_bytes(), 64u * 64u * sizeof(float));
  const Tensor other_size = unfilled_tensor({64, 65});
  EXPECT_NE(other_size.data(), storage);
  const Tensor same = unfilled_tensor({16, 256});
  EXPECT_EQ(same.data(), storage);
  EXPECT_EQ(same.shape(), (std::vector<int>{16, 256}));
  EXPECT_EQ(spare_bytes(), 0u);
}

TEST(SpareBuffers, SmallBuffersAreNotKeptAndTheBoundsHold) {
  drop_spares();
  recycle_tensor(Tensor({static_cast<int>(kMinSpareElements) - 1}));
  EXPECT_EQ(spare_bytes(), 0u);
  for (std::size_t i = 0; i < kMaxSpares + 5; ++i) recycle_tensor(Tensor({static_cast<int>(kMinSpareElements)}));
  EXPECT_EQ(spare_bytes(), kMaxSpares * kMinSpareElements * sizeof(float));
  const int big = static_cast<int>(kSpareBytes / sizeof(float) / 3);
  for (int i = 0; i < 4; ++i) recycle_tensor(Tensor({big}));
  EXPECT_LE(spare_bytes(), kSpareBytes);
  std::size_t other_thread = 1;
  std::thread([&] { other_thread = spare_bytes(); }).join();
  EXPECT_EQ(other_thread, 0u);  // spares are per thread
  drop_spares();
}

// f() with no spares, then with a spare of every size up to the output's filled with a NaN
// pattern: the same bits.
void writes_every_element(const std::string& what, const std::function<Tensor()>& f) {
  drop_spares();
  const Tensor clean = f();
  Tensor poison(clean.shape());
  const std::uint32_t pattern = 0x7fc0deadu;
  for (float& v : poison.values()) std::memcpy(&v, &pattern, sizeof v);
  recycle_tensor(std::move(poison));
  const Tensor reused = f();
  EXPECT_EQ(spare_bytes(), 0u) << what << ": the spare was not used";
  EXPECT_EQ(testing::count_bit_differences(clean, reused), 0) << what;
}

TEST(SpareBuffers, KernelsWithUnfilledOutputsWriteEveryElement) {
  Rng rng(3);
  const Tensor x = testing::random_tensor({9, 17, 64}, rng), row = testing::random_tensor({64}, rng);
  const Tensor wide = testing::random_tensor({9, 170, 64}, rng);
  writes_every_element("binary_op", [&] { return binary_op(x, row, BinaryOp::mul, 2); });
  writes_every_element("softmax", [&] { return softmax(x, 1, 2); });
  writes_every_element("layer_norm", [&] { return layer_norm(x, row, &row, -1, 1e-5f, 2); });
  writes_every_element("reduce_mean", [&] { return reduce_mean(wide, {2}, true); });
  writes_every_element("transpose", [&] { return transpose(x, {2, 0, 1}, 2); });
  writes_every_element("slice", [&] { return slice(x, {1}, {9}, {0}, {1}); });
  writes_every_element("concat", [&] { return concat({&x, &x}, 1); });
}

}  // namespace
}  // namespace accsim
