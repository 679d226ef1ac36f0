#pragma once
// The floating-point datapaths' kernel of array_conv (fp32, fp16, bf16): operands are
// the fp32 values of their register words; products, sums and accumulator in fp32.
// Output positions are taken a chunk at a time (kernels/conv_operands.h), and each
// chunk runs its whole accumulation (every group, block and kernel position) with its
// accumulator entries in cache; every column sum is the array's adder tree on eight
// positions per vector (kernels/column_sums.h). Jobs that use one row of the array
// (c = 1) run each column's chain over the kernel positions directly
// (kernels/one_row_sums.h), by image planes when no transient flips them. Internal to
// array_conv.
#include <cstdint>

#include "arch/error_pattern.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "arch/tensor.h"
#include "kernels/array_conv.h"

namespace accsim {

// `input_words`, `weight_words`: fp16 only, the register words themselves (the masked
// paths and transient flips read them; null otherwise). `region`: null for the whole
// output; otherwise only its planes are computed and written into `out` (every other
// element left as it was). `threads` > 1 splits the chunks (the same bits).
template <DataType T>
void float_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                const ErrorPattern& pattern, const float* input, const float* weights,
                const std::uint16_t* input_words, const std::uint16_t* weight_words, const ConvRegion* region,
                Tensor& out, int threads);

}  // namespace accsim
