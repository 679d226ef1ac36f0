#pragma once
// The data order of training on the simulated array, shared by `accsim train` and
// `accsim train-campaign` so that both see the same batches for the same seed: a seeded
// Fisher-Yates shuffle per epoch (no generator state to checkpoint).
#include <cstdint>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

std::vector<int> identity_order(int n);

// A permutation of [0, n) keyed by (seed, epoch) alone.
std::vector<int> epoch_order(int n, std::uint64_t seed, int epoch);

// Images order[first], ..., order[first + count - 1] of [N, c, h, w] `images`.
Tensor gather(const Tensor& images, const std::vector<int>& order, std::size_t first, std::size_t count);

}  // namespace accsim
