#include "kernels/tensor_shape.h"

#include <stdexcept>

namespace accsim {

std::size_t element_count(const std::vector<int>& shape) {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::vector<std::size_t> row_major_strides(const std::vector<int>& shape) {
  std::vector<std::size_t> s(shape.size(), 1);
  for (std::size_t i = shape.size(); i-- > 1;) s[i - 1] = s[i] * static_cast<std::size_t>(shape[i]);
  return s;
}

std::string shape_to_string(const std::vector<int>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

int normalize_axis(int axis, int rank, const std::string& op) {
  if (axis < -rank || axis >= rank)
    throw std::invalid_argument(op + ": axis " + std::to_string(axis) + " out of range [" + std::to_string(-rank) +
                                ", " + std::to_string(rank) + ") for a rank-" + std::to_string(rank) + " tensor");
  return axis < 0 ? axis + rank : axis;
}

}  // namespace accsim
