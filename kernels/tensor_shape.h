#pragma once
// Shape helpers shared by the host kernels: element counts, row-major strides, axis
// normalisation (ONNX allows negative axes, counted from the end).
#include <cstddef>
#include <string>
#include <vector>

namespace accsim {

std::size_t element_count(const std::vector<int>& shape);
// strides[i] = product of shape[i+1..]: the flat-index step of dimension i.
std::vector<std::size_t> row_major_strides(const std::vector<int>& shape);
std::string shape_to_string(const std::vector<int>& shape);
// axis in [-rank, rank) -> [0, rank); otherwise std::invalid_argument naming `op`.
int normalize_axis(int axis, int rank, const std::string& op);

}  // namespace accsim
