#include "faultmodels/parameter_target.h"

#include <algorithm>
#include <stdexcept>

namespace accsim {

namespace {

// Glob match of the whole of `name` ("*": any run of characters, "?": one character),
// by the classic backtrack to the last star: O(|pattern| |name|) at worst.
bool glob_matches(const std::string& pattern, const std::string& name) {
  std::size_t p = 0, n = 0, star = std::string::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p, ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::string last_component(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

std::string to_string(ParameterKind k) {
  switch (k) {
    case ParameterKind::any: return "any";
    case ParameterKind::weight: return "weight";
    case ParameterKind::bias: return "bias";
  }
  return "?";
}

bool selector_matches(const std::string& selector, const std::string& tensor_name) {
  if (selector == "all" || glob_matches(selector, tensor_name)) return true;
  for (std::size_t dot = tensor_name.find('.'); dot != std::string::npos; dot = tensor_name.find('.', dot + 1))
    if (glob_matches(selector, tensor_name.substr(0, dot))) return true;
  return false;
}

bool parameter_kind_matches(ParameterKind kind, const std::string& tensor_name) {
  if (kind == ParameterKind::any) return true;
  return last_component(tensor_name) == (kind == ParameterKind::weight ? "weight" : "bias");
}

std::size_t ResolvedTarget::tensor_of(std::uint64_t e) const {
  // offsets is ascending; the last offset <= e (empty tensors share offsets: take the last).
  const auto it = std::upper_bound(offsets.begin(), offsets.end() - 1, e);
  return static_cast<std::size_t>(it - offsets.begin()) - 1;
}

ResolvedTarget resolve(const ParameterTarget& target, const ParameterSet& set) {
  ResolvedTarget r;
  if (target.tensors.empty()) throw std::invalid_argument("target \"" + target.name + "\": no tensor selector");
  for (const auto& sel : target.tensors) {
    bool any = false;
    for (const auto& t : set.tensors()) any = any || selector_matches(sel, t.name);
    if (!any) {
      std::string names;
      for (const auto& t : set.tensors()) names += (names.empty() ? "" : ", ") + t.name;
      throw std::invalid_argument("\"" + sel + "\" matches no parameter tensor (the model has: " + names + ")");
    }
  }
  std::uint64_t offset = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const ParameterTensor& t = set[i];
    if (!parameter_kind_matches(target.parameter, t.name)) continue;
    if (std::none_of(target.tensors.begin(), target.tensors.end(),
                     [&](const std::string& sel) { return selector_matches(sel, t.name); }))
      continue;
    r.tensors.push_back(i);
    r.offsets.push_back(offset);
    offset += t.size;
  }
  r.offsets.push_back(offset);
  if (offset == 0)
    throw std::invalid_argument("target \"" + target.name + "\" holds no " +
                                (target.parameter == ParameterKind::any ? std::string("parameter")
                                                                        : to_string(target.parameter)) +
                                " elements");
  if (target.bits.empty()) {
    for (int b = 0; b < 32; ++b) r.bits.push_back(b);
  } else {
    for (int b : target.bits)
      if (b < 0 || b > 31) throw std::invalid_argument("bit " + std::to_string(b) + " is outside [0, 31]");
    r.bits = target.bits;
    std::sort(r.bits.begin(), r.bits.end());
    r.bits.erase(std::unique(r.bits.begin(), r.bits.end()), r.bits.end());
  }
  for (int b : r.bits) r.bit_mask |= 1u << b;
  return r;
}

}  // namespace accsim
