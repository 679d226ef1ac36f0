#pragma once
// Storage of tensors that are written in full, without the zero fill of Tensor's
// constructor: a thread keeps the buffers of the values a graph run has freed (a batch's
// intermediate tensors come back in the same sizes, batch after batch) and hands them to
// new tensors of exactly that size, so neither the fill nor the page faults of fresh
// memory are paid again. Bounded per thread (kSpareBytes, kMaxSpares); nothing is shared between threads.
#include <cstddef>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

inline constexpr std::size_t kSpareBytes = std::size_t{64} << 20;  // per thread
inline constexpr std::size_t kMaxSpares = 256;  // per thread (a depthwise node's groups); the search stays short
inline constexpr std::size_t kMinSpareElements = 1024;              // smaller ones: malloc is cheap

// A tensor of `shape` whose values are unspecified (a spare buffer's old values, or zeros):
// only for outputs whose every element the caller then writes.
Tensor unfilled_tensor(std::vector<int> shape);

// Keeps t's storage for a later unfilled_tensor on this thread (t is left empty); the
// oldest spare is dropped when the thread would hold more than kSpareBytes.
void recycle_tensor(Tensor&& t);

// Frees this thread's spare buffers (a thread done with graph runs; tests).
void release_spare_buffers();

// Bytes this thread holds in spare buffers (tests).
std::size_t spare_bytes();

}  // namespace accsim
