#pragma once
// A dense, row-major fp32 tensor: the one data container every layer uses.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace accsim {

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::vector<int> shape, float fill = 0.0f) : shape_(std::move(shape)) {
    std::size_t n = 1;
    for (int d : shape_) {
      if (d < 0) throw std::invalid_argument("Tensor: negative dimension");
      n *= static_cast<std::size_t>(d);
    }
    if (fill == 0.0f && !std::signbit(fill))
      data_.resize(n);  // value-initialised: one memset
    else
      data_.assign(n, fill);
  }

  const std::vector<int>& shape() const { return shape_; }
  int dim(std::size_t i) const { return shape_.at(i); }
  std::size_t rank() const { return shape_.size(); }
  std::size_t size() const { return data_.size(); }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }

  // Same data, new shape of equal element count (e.g. flatten before a linear layer);
  // a temporary gives its data away instead of copying it.
  Tensor reshaped(std::vector<int> shape) const& {
    Tensor t;
    t.shape_ = checked_shape(std::move(shape));
    t.data_ = data_;
    return t;
  }
  Tensor reshaped(std::vector<int> shape) && {
    Tensor t;
    t.shape_ = checked_shape(std::move(shape));
    t.data_ = std::move(data_);
    shape_.clear();
    return t;
  }

  std::string shape_string() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape_.size(); ++i) s += (i ? "," : "") + std::to_string(shape_[i]);
    return s + "]";
  }

 private:
  std::vector<int> checked_shape(std::vector<int> shape) const {
    std::size_t n = 1;
    for (int d : shape) {
      if (d < 0) throw std::invalid_argument("Tensor: negative dimension");
      n *= static_cast<std::size_t>(d);
    }
    if (n != size()) throw std::invalid_argument("Tensor::reshaped: element count differs");
    return shape;
  }

  std::vector<int> shape_;
  std::vector<float> data_;
};

}  // namespace accsim
