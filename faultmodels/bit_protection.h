#pragma once
// Selective bit protection, a mitigation: chosen bit positions of the stored words (e.g.
// the sign and exponent of fp32 parameters, or of a PE's registers) sit in hardened or
// ECC-protected storage and cannot be corrupted. A fault on a protected bit is dropped;
// a flip pattern keeps only its unprotected bits.
#include <cstdint>
#include <vector>

#include "arch/hardware_fault.h"
#include "faultmodels/parameter_injection.h"

namespace accsim {

// The positions as a mask (each in [0, 31]).
std::uint32_t protection_mask(const std::vector<int>& bits);

// True when `fault` acts on a protected bit and so never happens.
inline bool is_protected(const HardwareFault& fault, std::uint32_t mask) { return (fault.mask() & mask) != 0; }

// The injection with protected bits restored: each record keeps only its unprotected
// changed bits; records left with none are removed.
Injection without_protected_bits(const Injection& injection, std::uint32_t mask);

}  // namespace accsim
