#include "faultmodels/parameter_set.h"

#include <stdexcept>

namespace accsim {

void ParameterSet::add(std::string name, float* data, std::size_t size) {
  if (name.empty()) throw std::invalid_argument("ParameterSet::add: empty tensor name");
  if (find(name) >= 0) throw std::invalid_argument("ParameterSet::add: duplicate tensor name \"" + name + "\"");
  if (data == nullptr && size > 0) throw std::invalid_argument("ParameterSet::add: null data for \"" + name + "\"");
  tensors_.push_back({std::move(name), data, size});
}

std::uint64_t ParameterSet::parameter_count() const {
  std::uint64_t n = 0;
  for (const auto& t : tensors_) n += t.size;
  return n;
}

long long ParameterSet::find(const std::string& name) const {
  for (std::size_t i = 0; i < tensors_.size(); ++i)
    if (tensors_[i].name == name) return static_cast<long long>(i);
  return -1;
}

std::vector<std::string> ParameterSet::names() const {
  std::vector<std::string> out;
  for (const auto& t : tensors_) out.push_back(t.name);
  return out;
}

}  // namespace accsim
