#pragma once
// Which parameters a fault model may hit: tensors chosen by name, optionally only
// weights or only biases, optionally only some bit positions of each fp32 word.
//
// A selector is a glob over dotted tensor names ("*" any run of characters, dots
// included; "?" any one character) that matches a tensor when it matches the whole name
// or a prefix of it ending before a dot; "all" matches every tensor:
//   "fc1"          -> fc1.weight, fc1.bias          "fc1.weight" -> that tensor only
//   "mlp.top"      -> mlp.top.0.weight, mlp.top.0.bias, mlp.top.1.weight, ...
//   "embedding.3"  -> embedding.3.weight            "mlp.*.0"    -> mlp.bottom.0.*, mlp.top.0.*
//   "*.weight"     -> every weight                   "blocks.*.attn.?.weight" -> q, k, v of every block
// ("mlp.t" does not match "mlp.top.0.weight": a prefix ends at a dot.)
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "faultmodels/parameter_set.h"

namespace accsim {

enum class ParameterKind { any, weight, bias };
std::string to_string(ParameterKind k);

struct ParameterTarget {
  std::string name = "all";                   // label in reports
  std::vector<std::string> tensors = {"all"};  // selectors (union)
  ParameterKind parameter = ParameterKind::any;
  std::vector<int> bits;  // allowed fp32 bit positions in [0, 31]; empty: all 32
};

bool selector_matches(const std::string& selector, const std::string& tensor_name);
bool parameter_kind_matches(ParameterKind kind, const std::string& tensor_name);  // by the last component

// A target bound to one ParameterSet: its tensors laid end to end as one flat array of
// elements, each with the allowed bit positions.
struct ResolvedTarget {
  std::vector<std::size_t> tensors;    // indices into the set, in set order
  std::vector<std::uint64_t> offsets;  // offsets[i]: first flat element of tensors[i]; offsets.back(): elements()
  std::vector<int> bits;               // allowed bit positions, ascending, distinct
  std::uint32_t bit_mask = 0;          // the same as a mask

  std::uint64_t elements() const { return offsets.empty() ? 0 : offsets.back(); }
  std::uint64_t bit_count() const { return elements() * bits.size(); }
  // The position in `tensors` holding flat element `e` (< elements()).
  std::size_t tensor_of(std::uint64_t e) const;
};

// Throws std::invalid_argument when a selector matches no tensor, the target holds no
// element, or a bit is outside [0, 31].
ResolvedTarget resolve(const ParameterTarget& target, const ParameterSet& set);

}  // namespace accsim
