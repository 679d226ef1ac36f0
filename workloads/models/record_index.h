#pragma once
// A recorded run's values by number, for reruns of many recordings of one graph (PVF):
// each experiment reads a different pool image's record, and a lookup in that record's
// string-keyed map missed the cache at every tree node it walked (std::map::find took 7.5%
// of a native profile). The value names are numbered once per graph, in one map every
// experiment shares (so it stays in cache), and each record keeps its values' addresses
// by number.
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

using ValueNumbers = std::map<std::string, std::size_t>;

// Numbers the names of a recorded run's values that `numbers` does not hold yet.
inline void number_values(const std::map<std::string, Tensor>& values, ValueNumbers& numbers) {
  for (const auto& entry : values) numbers.emplace(entry.first, numbers.size());
}

class RecordIndex {
 public:
  RecordIndex() = default;
  // `numbers` and `values` must outlive the index (a map's elements keep their addresses
  // when it moves). Throws std::invalid_argument for a value `numbers` does not name.
  RecordIndex(const ValueNumbers& numbers, const std::map<std::string, Tensor>& values)
      : numbers_(&numbers), values_(numbers.size(), nullptr) {
    for (const auto& [name, tensor] : values) {
      const auto it = numbers.find(name);
      if (it == numbers.end()) throw std::invalid_argument("RecordIndex: the value " + name + " is not numbered");
      values_[it->second] = &tensor;
    }
  }
  // The recorded value `name`, or nullptr when the record has none.
  const Tensor* find(const std::string& name) const {
    const auto it = numbers_->find(name);
    return it == numbers_->end() ? nullptr : values_[it->second];
  }

 private:
  const ValueNumbers* numbers_ = nullptr;
  std::vector<const Tensor*> values_;  // by number; nullptr: not recorded
};

}  // namespace accsim
