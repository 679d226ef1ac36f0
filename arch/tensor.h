#pragma once
// A dense, row-major fp32 tensor: the one data container every layer uses.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/default_init_allocator.h"

namespace accsim {

// A Tensor's element storage: a std::vector<float> whose resize(n) leaves new elements unset
// (see default_init_allocator.h); resize(n, v), assign, copies and initializer lists set them.
using FloatStorage = std::vector<float, DefaultInitAllocator<float>>;

// Element-wise equality with a plain std::vector<float> (tests compare against literals);
// found by argument-dependent lookup through the allocator's namespace.
inline bool operator==(const FloatStorage& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}
inline bool operator==(const std::vector<float>& a, const FloatStorage& b) { return b == a; }
inline bool operator!=(const FloatStorage& a, const std::vector<float>& b) { return !(a == b); }
inline bool operator!=(const std::vector<float>& a, const FloatStorage& b) { return !(b == a); }

class Tensor {
 public:
  // Tag: the constructor leaves the elements unset. Only for outputs every element of which
  // the caller writes before anything reads it (skips a zero fill that profiles showed costly).
  struct Uninitialized {};
  static constexpr Uninitialized uninitialized{};
  // Set by the test binary: unset elements start as this NaN (no datapath makes its payload),
  // so a kernel that leaves one unwritten fails the bit-identity tests instead of passing by luck.
  static inline bool poison_unset = false;
  static constexpr std::uint32_t kPoisonBits = 0x7fe5a5a5u;

  Tensor() = default;
  explicit Tensor(std::vector<int> shape, float fill = 0.0f) : shape_(std::move(shape)) {
    const std::size_t n = element_count(shape_);
    if (fill == 0.0f && !std::signbit(fill)) {
      data_.resize(n);  // unset, then one memset (+0.0f is all-zero bits)
      if (n) std::memset(data_.data(), 0, n * sizeof(float));
    } else {
      data_.assign(n, fill);
    }
  }
  Tensor(std::vector<int> shape, Uninitialized) : shape_(std::move(shape)) {
    data_.resize(element_count(shape_));
    if (poison_unset) poison();
  }

  const std::vector<int>& shape() const { return shape_; }
  int dim(std::size_t i) const { return shape_.at(i); }
  std::size_t rank() const { return shape_.size(); }
  std::size_t size() const { return data_.size(); }
  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  float& operator[](std::size_t i) { return data_[i]; }
  float operator[](std::size_t i) const { return data_[i]; }
  FloatStorage& values() { return data_; }
  const FloatStorage& values() const { return data_; }

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
  void poison() {
    float p;
    std::memcpy(&p, &kPoisonBits, sizeof p);
    std::fill(data_.begin(), data_.end(), p);
  }
  static std::size_t element_count(const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) {
      if (d < 0) throw std::invalid_argument("Tensor: negative dimension");
      n *= static_cast<std::size_t>(d);
    }
    return n;
  }
  std::vector<int> checked_shape(std::vector<int> shape) const {
    if (element_count(shape) != size()) throw std::invalid_argument("Tensor::reshaped: element count differs");
    return shape;
  }

  std::vector<int> shape_;
  FloatStorage data_;
};

}  // namespace accsim
