#pragma once
// The int8 datapath's kernel of array_conv: 8-bit register words (held sign-extended),
// int16 products, int32 adder tree and accumulator wrapping on overflow. Integer
// addition is associative, so a column sum may add its rows in any order and still
// equal the adder tree's. Internal to array_conv.
#include "arch/array_operands.h"
#include "arch/error_pattern.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "arch/tensor.h"
#include "kernels/array_conv.h"

namespace accsim {

// `region` null: the whole output; otherwise only its planes are written into `out`.
void int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out);

}  // namespace accsim
