#pragma once
// The fast, array-faithful convolution: the same products, the same adder trees and
// the same accumulation order as the PE array, computed for many output positions at
// once instead of cycle by cycle, so its results are bit-identical to the cycle model.
// Stuck-at faults act through the PEs' masks; transients through the error pattern.
// Every number format of arch/number_format.h: fp32 reads the tensors as they are;
// fp16 and bf16 share the fp32 kernel on their operands' fp32 values (with the
// register masks on the 16-bit words); int8 has an integer kernel.
#include <vector>

#include "arch/array_operands.h"
#include "arch/error_pattern.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "arch/tensor.h"

namespace accsim {

// Host tensors, converted to array.datatype at the array boundary. `threads` > 1 splits
// the output positions over that many threads (the floating-point datapaths); the
// result is the same bit for bit whatever the count.
Tensor array_conv(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads = 1);
// Operands already in register words (operands.datatype must be array.datatype).
Tensor array_conv(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const ArrayOperands& operands, int threads = 1);

// A part of a job's output [n, k, p, q]: output channel oc of image n (one "plane")
// belongs to it when images[n] and image_columns[col] hold, or columns[col] holds, where
// col is the array column serving oc (per output-channel group, under the swizzle).
// Empty vectors select nothing (image_columns: empty = every column).
struct ConvRegion {
  std::vector<char> images;         // [n]
  std::vector<char> image_columns;  // [atomic_k], restricts `images`; empty = all columns
  std::vector<char> columns;        // [atomic_k]: these columns' channels of every image
  // [groups]: a hint that only these output-channel groups (mapping.groups()) matter;
  // the fp kernels skip the others (their planes are then left as they were). Empty: all.
  std::vector<char> groups;
};

// array_conv of the region's planes only, written into `out` ([n, k, p, q]); every other
// element of `out` is left as it was. Each computed plane is bit-identical to the same
// plane of array_conv (the whole accumulation of every computed output position runs;
// positions and columns outside the region are skipped), so a caller that knows which
// planes a fault can change pre-fills `out` with the fault-free output and pays only for
// those planes.
// Host tensors are converted to array.datatype as array_conv does; `threads` as there.
void array_conv_region(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping,
                       const PeFaults& faults, const ErrorPattern& pattern, const Tensor& input,
                       const Tensor& weights, const ConvRegion& region, Tensor& out, int threads = 1);
// Operands already in register words (operands.datatype must be array.datatype).
void array_conv_region(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping,
                       const PeFaults& faults, const ErrorPattern& pattern, const ArrayOperands& operands,
                       const ConvRegion& region, Tensor& out, int threads = 1);

}  // namespace accsim
