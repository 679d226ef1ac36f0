#pragma once
// Which channel each PE row and column serves, for every output-channel group `g`
// (columns: output channels g*atomic_k ...) and channel block `b` (rows: input
// channels b*atomic_c ...) of a job. Both engines and the fault mapper ask this one
// object, so swizzling is hardware behaviour, not a post-processing trick.
#include <cstdint>
#include <vector>

#include "arch/array_config.h"
#include "arch/conv_job.h"
#include "arch/swizzle.h"

namespace accsim {

class Mapping {
 public:
  // `seed` keys the random policy; give each layer of a network its own.
  Mapping(const ConvShape& shape, const ArrayConfig& array, SwizzlePolicy policy, std::uint64_t seed);

  int groups() const { return groups_; }  // ceil(K / atomic_k)
  int blocks() const { return blocks_; }  // ceil(C / atomic_c)
  int rows_used(int block) const;         // input channels in block b
  int cols_used(int group) const;         // output channels in group g
  SwizzlePolicy policy() const { return policy_; }

  // Everything the tables below depend on: mappings with equal keys give the same tables
  // (kernels keep a job's tables for the next job of an equal key).
  struct Key {
    int c = -1, k = -1, atomic_c = -1, atomic_k = -1;
    SwizzlePolicy policy = SwizzlePolicy::none;
    std::uint64_t seed = 0;
    bool operator==(const Key& o) const {
      return c == o.c && k == o.k && atomic_c == o.atomic_c && atomic_k == o.atomic_k && policy == o.policy &&
             seed == o.seed;
    }
    bool operator!=(const Key& o) const { return !(*this == o); }
  };
  Key key() const { return {shape_.c, shape_.k, atomic_c_, atomic_k_, policy_, seed_}; }

  // row -> input channel of the job's streamed operand, -1 when the row is idle.
  // Fills `out` (size atomic_c).
  void rows_to_channels(int group, int block, std::vector<int>& out) const;
  // column -> output channel, -1 when the column is idle. Fills `out` (size atomic_k).
  void cols_to_channels(int group, std::vector<int>& out) const;

  // Inverse queries: the row serving input channel ic in group g, the column serving oc.
  int row_of(int group, int input_channel) const;
  int col_of(int output_channel) const;

 private:
  // positions[j] = row/column holding the j-th channel of a block/group on an axis of
  // size `width`; `key` is the rotation or xor pattern, `random_key` seeds a permutation.
  std::vector<int> positions(int width, std::uint64_t key, std::uint64_t random_key) const;

  ConvShape shape_;
  int atomic_c_, atomic_k_;
  int groups_, blocks_;
  SwizzlePolicy policy_;
  std::uint64_t seed_;
};

}  // namespace accsim
