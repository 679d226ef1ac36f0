#pragma once
// Where each element of a parameter lands in a recorded run's stationary operands (the
// jobs' [k, c, r, s] weights), so that a PVF rerun knows which rows of which job a
// corrupted element changes without comparing every operand with the record (fc1's
// 123 KB an experiment). Found by running the graph with the parameter replaced by its
// element numbers: the lowering between a parameter and the array (Gemm's transpose,
// reshapes) only moves elements, so each operand element is a parameter element or does
// not depend on the parameter. Two numberings of opposite sign (e + 1 and -(e + 1), exact
// in fp32 below 2^24) tell the two apart; an operand element computed from the parameter
// (anything else) gives no places at all.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "workloads/models/graph.h"

namespace accsim {

struct OperandPlace {
  std::uint32_t job = 0;  // recorded job (GraphRun::jobs)
  std::uint32_t at = 0;   // flat index in its stationary operand
};

class OperandPlaces {
 public:
  OperandPlaces(std::vector<std::uint32_t> first, std::vector<OperandPlace> places)
      : first_(std::move(first)), places_(std::move(places)) {}
  // The places of element e: [begin, end).
  const OperandPlace* begin(std::size_t e) const { return places_.data() + first_[e]; }
  const OperandPlace* end(std::size_t e) const { return places_.data() + first_[e + 1]; }

 private:
  std::vector<std::uint32_t> first_;  // [elements + 1]: element e's places start at first_[e]
  std::vector<OperandPlace> places_;
};

// The places of initializer `parameter` in the stationary operands of `graph`'s run on
// `input`, checked against `stationary` (per recorded job; empty: a job whose operand is
// computed from data, not looked at). `graph` is changed during the call and restored.
// None when an operand element depends on the parameter other than by being one of its
// elements, when the run's jobs differ from `stationary`'s, or for 2^24 elements or more.
std::optional<OperandPlaces> find_operand_places(Graph& graph, const std::string& parameter, const Tensor& input,
                                                 const ArrayConfig& array, const std::vector<Tensor>& stationary);

}  // namespace accsim
