#pragma once
// The vector ISAs the kernels can run on this CPU (AVX2, and AVX-512 where present), for
// tests that compare each; the current ISA is left as it was.
#include <vector>

#include "kernels/column_sums.h"

namespace accsim::testing {

inline std::vector<column_sums::VectorIsa> vector_isas() {
  namespace cs = column_sums;
  std::vector<cs::VectorIsa> v{cs::VectorIsa::avx2};
  const cs::VectorIsa was = cs::vector_isa();
  if (cs::set_vector_isa(cs::VectorIsa::avx512)) v.push_back(cs::VectorIsa::avx512);
  cs::set_vector_isa(was);
  return v;
}

}  // namespace accsim::testing
