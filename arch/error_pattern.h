#pragma once
// The software view of a job's transient hardware faults: each one placed on the
// accumulation step (channel block b, kernel position r,s: step = b*R*S + r*S + s),
// output position and column it corrupts. Stuck-at faults need no placing: they hit
// every step at the PE they sit in (PeFaults holds their masks).
#include <cstdint>
#include <vector>

namespace accsim {

struct ElementKey {
  int group = 0;         // output-channel group
  int step = 0;          // accumulation step within the group
  long long pixel = 0;   // flattened output position (n, p, q)
  int col = 0;           // array column
  bool operator<(const ElementKey& o) const {
    if (group != o.group) return group < o.group;
    if (step != o.step) return step < o.step;
    if (pixel != o.pixel) return pixel < o.pixel;
    return col < o.col;
  }
  bool operator==(const ElementKey& o) const {
    return group == o.group && step == o.step && pixel == o.pixel && col == o.col;
  }
};

struct RowFlip {
  int row = 0;
  std::uint32_t mask = 0;
};

// The column sum of one atomic operation computed with flipped bits.
struct PsumFlips {
  ElementKey at;
  std::vector<RowFlip> weight;   // active weight registers, XOR-combined per row
  std::vector<RowFlip> input;    // input registers
  std::vector<RowFlip> product;  // multiplier outputs
  std::uint32_t psum = 0;        // adder-tree output
};

// An accumulator entry flipped before the step reads it.
struct AccumulatorFlip {
  ElementKey at;
  std::uint32_t mask = 0;
};

struct ErrorPattern {
  std::vector<PsumFlips> psums;              // sorted by key
  std::vector<AccumulatorFlip> accumulator;  // sorted by key
  bool empty() const { return psums.empty() && accumulator.empty(); }
};

}  // namespace accsim
