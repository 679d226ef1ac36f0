#pragma once
// How much memory an input may make accsim allocate. Sizes an input declares (a model
// file's dataset shapes, a topology's layers, a job's operands) are estimated before
// anything is allocated; an estimate above the limit is an InputError (exit 2) naming
// the input, instead of a bad_alloc or the OOM killer after minutes of work.
//
// The limit is half the memory this process may use (the machine's physical memory,
// capped by the cgroup's limit: v2 memory.max of its cgroup and every ancestor, v1
// memory.limit_in_bytes); the other half is for what the estimates do not count (the
// engines' buffers, libraries, the system). ACCSIM_MEMORY_LIMIT overrides it: bytes, or
// a number with a K, M, G or T suffix (powers of 1024), e.g. ACCSIM_MEMORY_LIMIT=64G
// (docs/config.md).
#include <cstdint>
#include <optional>
#include <string>

namespace accsim {

inline constexpr const char* kMemoryLimitVariable = "ACCSIM_MEMORY_LIMIT";

// The limit in bytes: ACCSIM_MEMORY_LIMIT when set (an InputError naming it when it is
// not a size), otherwise available_memory() / 2.
std::uint64_t memory_limit();

// Physical memory capped by the cgroup limits; at least 1 MiB.
std::uint64_t available_memory();

// "512M" -> 536870912; nullopt for text that is not a positive size or overflows.
std::optional<std::uint64_t> parse_memory_size(const std::string& text);

// "1.5 GiB", "12 MiB", "300 bytes": one short form for messages.
std::string memory_text(double bytes);

// InputError "<what> needs about <bytes>, more than the memory limit of <limit> (...)"
// when `bytes` exceeds memory_limit(). `bytes` is a double so that estimates of absurd
// inputs (2^40 elements of 2^30 bytes) cannot overflow before they are compared.
void check_memory(double bytes, const std::string& what);

}  // namespace accsim
