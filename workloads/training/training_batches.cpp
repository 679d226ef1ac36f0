#include "workloads/training/training_batches.h"

#include <algorithm>
#include <numeric>

#include "arch/random.h"

namespace accsim {

std::vector<int> identity_order(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

std::vector<int> epoch_order(int n, std::uint64_t seed, int epoch) {
  std::vector<int> v = identity_order(n);
  Rng rng(splitmix64(seed ^ (0x747261696e000000ULL + static_cast<std::uint64_t>(epoch))));
  for (int i = n - 1; i > 0; --i) std::swap(v[static_cast<std::size_t>(i)], v[rng.below(static_cast<std::uint64_t>(i) + 1)]);
  return v;
}

Tensor gather(const Tensor& images, const std::vector<int>& order, std::size_t first, std::size_t count) {
  const std::size_t per = images.size() / static_cast<std::size_t>(images.dim(0));
  Tensor t({static_cast<int>(count), images.dim(1), images.dim(2), images.dim(3)});
  for (std::size_t i = 0; i < count; ++i)
    std::copy_n(images.data() + static_cast<std::size_t>(order[first + i]) * per, per, t.data() + i * per);
  return t;
}

}  // namespace accsim
