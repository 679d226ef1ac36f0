#pragma once
// The parameters a parameter fault model can corrupt: named, non-owning views of fp32
// tensors (a layer's weights or biases, an embedding table). Names are dotted paths in
// PyTorch style ending in ".weight" or ".bias": "fc1.weight", "mlp.top.0.bias",
// "embedding.3.weight"; parameter_target.h selects among them by name.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct ParameterTensor {
  std::string name;
  float* data = nullptr;
  std::size_t size = 0;
};

class ParameterSet {
 public:
  // The tensor must outlive the set. Throws std::invalid_argument for an empty or
  // duplicate name.
  void add(std::string name, float* data, std::size_t size);
  void add(std::string name, Tensor& t) { add(std::move(name), t.data(), t.size()); }

  const std::vector<ParameterTensor>& tensors() const { return tensors_; }
  const ParameterTensor& operator[](std::size_t i) const { return tensors_.at(i); }
  std::size_t size() const { return tensors_.size(); }
  std::uint64_t parameter_count() const;
  // Index of the tensor called `name`, or -1.
  long long find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<ParameterTensor> tensors_;
};

}  // namespace accsim
