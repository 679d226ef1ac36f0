#pragma once
// Outputs (HDF5 images, CSV tables, reports) written so that a crash or a full disk never
// leaves a partial file: to a temporary name next to the target (stale_temporaries.h),
// fsynced, then renamed over it.
#include <cstddef>
#include <string>

namespace accsim {

// InputError "<path>: cannot write: <step>: <reason>" (e.g. "No space left on device");
// the temporary is removed on every failure and a previous `path` stays untouched.
// Temporaries of killed earlier writers of `path` are removed first.
void write_bytes_atomically(const std::string& path, const void* data, std::size_t size);

void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace accsim
