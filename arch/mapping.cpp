#include "arch/mapping.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "arch/random.h"

namespace accsim {

namespace {

bool power_of_two(int x) { return x > 0 && (x & (x - 1)) == 0; }

// Seeded Fisher-Yates permutation of [0, width): perm[j] = position of channel j.
std::vector<int> random_permutation(int width, std::uint64_t key) {
  std::vector<int> perm(width);
  std::iota(perm.begin(), perm.end(), 0);
  Rng rng(key);
  for (int i = width - 1; i > 0; --i) std::swap(perm[i], perm[rng.below(static_cast<std::uint64_t>(i) + 1)]);
  return perm;
}

// Keys of the two axes: columns change per output-channel group, rows per
// (group, block) pair, so every channel operation of every group is placed afresh.
constexpr std::uint64_t kColumnAxis = 0x636f6c756d6e73ULL;
constexpr std::uint64_t kRowAxis = 0x726f7773ULL;

}  // namespace

Mapping::Mapping(const ConvShape& shape, const ArrayConfig& array, SwizzlePolicy policy, std::uint64_t seed)
    : shape_(shape),
      atomic_c_(array.atomic_c),
      atomic_k_(array.atomic_k),
      groups_((shape.k + array.atomic_k - 1) / array.atomic_k),
      blocks_((shape.c + array.atomic_c - 1) / array.atomic_c),
      policy_(policy),
      seed_(seed) {
  if (policy == SwizzlePolicy::xor_ && !(power_of_two(atomic_c_) && power_of_two(atomic_k_)))
    throw std::invalid_argument("the xor swizzle needs power-of-two atomic_c and atomic_k");
}

int Mapping::rows_used(int block) const { return std::min(atomic_c_, shape_.c - block * atomic_c_); }
int Mapping::cols_used(int group) const { return std::min(atomic_k_, shape_.k - group * atomic_k_); }

std::vector<int> Mapping::positions(int width, std::uint64_t key, std::uint64_t random_key) const {
  if (policy_ == SwizzlePolicy::random) return random_permutation(width, random_key);
  std::vector<int> pos(width);
  for (int j = 0; j < width; ++j) {
    switch (policy_) {
      case SwizzlePolicy::rotate: pos[j] = static_cast<int>((j + key) % static_cast<std::uint64_t>(width)); break;
      case SwizzlePolicy::xor_: pos[j] = j ^ static_cast<int>(key & static_cast<std::uint64_t>(width - 1)); break;
      default: pos[j] = j;
    }
  }
  return pos;
}

namespace {
// out[position of channel j] = base + j for the `used` channels of a block/group.
void fill_axis(std::vector<int>& out, const std::vector<int>& pos, int used, int base) {
  out.assign(pos.size(), -1);
  for (int j = 0; j < used; ++j) out[pos[j]] = base + j;
}

// The same for the policies without a permutation, with no table allocated: kernels ask
// for every group's and block's channels per job.
void fill_swizzled_axis(std::vector<int>& out, SwizzlePolicy policy, int width, std::uint64_t key, int used, int base) {
  out.assign(static_cast<std::size_t>(width), -1);
  for (int j = 0; j < used; ++j) {
    int p = j;
    if (policy == SwizzlePolicy::rotate) p = static_cast<int>((j + key) % static_cast<std::uint64_t>(width));
    if (policy == SwizzlePolicy::xor_) p = j ^ static_cast<int>(key & static_cast<std::uint64_t>(width - 1));
    out[static_cast<std::size_t>(p)] = base + j;
  }
}
}  // namespace

void Mapping::rows_to_channels(int group, int block, std::vector<int>& out) const {
  const std::uint64_t key = static_cast<std::uint64_t>(group) + block;
  if (policy_ != SwizzlePolicy::random) return fill_swizzled_axis(out, policy_, atomic_c_, key, rows_used(block), block * atomic_c_);
  std::uint64_t random_key = splitmix64(seed_ ^ kRowAxis) ^ splitmix64(group * 1000003ULL + block);
  fill_axis(out, positions(atomic_c_, key, random_key), rows_used(block), block * atomic_c_);
}

void Mapping::cols_to_channels(int group, std::vector<int>& out) const {
  const auto key = static_cast<std::uint64_t>(group);
  if (policy_ != SwizzlePolicy::random) return fill_swizzled_axis(out, policy_, atomic_k_, key, cols_used(group), group * atomic_k_);
  std::uint64_t random_key = splitmix64(seed_ ^ kColumnAxis) ^ splitmix64(group);
  fill_axis(out, positions(atomic_k_, key, random_key), cols_used(group), group * atomic_k_);
}

int Mapping::row_of(int group, int input_channel) const {
  std::vector<int> rows;
  rows_to_channels(group, input_channel / atomic_c_, rows);
  return static_cast<int>(std::find(rows.begin(), rows.end(), input_channel) - rows.begin());
}

int Mapping::col_of(int output_channel) const {
  std::vector<int> cols;
  cols_to_channels(output_channel / atomic_k_, cols);
  return static_cast<int>(std::find(cols.begin(), cols.end(), output_channel) - cols.begin());
}

}  // namespace accsim
