#pragma once
// Enums named by a table of strings (index = enumerator value): one lookup for all.
#include <stdexcept>
#include <string>
#include <vector>

namespace accsim {

template <class Enum>
Enum enum_from_name(const std::vector<std::string>& names, const std::string& name, const std::string& what) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Enum>(i);
  throw std::invalid_argument("unknown " + what + " \"" + name + "\"");
}

}  // namespace accsim
