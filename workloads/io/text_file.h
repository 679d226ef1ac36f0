#pragma once
// Text outputs (CSV tables, reports) written so that a crash never leaves a partial
// file: to a temporary name next to the target, fsynced, then renamed over it.
#include <string>

namespace accsim {

// InputError naming `path` and the failing step; no temporary file is left behind.
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace accsim
