#pragma once
// Input files a user names (configs, datasets, topologies, models) must be regular files:
// a directory, a FIFO or a device would fail late, block forever or never end. These
// checks refuse them up front with an InputError naming the path and what it is.
#include <cstddef>
#include <string>

namespace accsim {

// InputError "`path`: is a FIFO; expected `what`" unless `path` is a regular file (a
// symlink to one is fine). A missing path or a failing stat is an InputError too.
void require_regular_file(const std::string& path, const std::string& what);

// The whole content of the regular file `path`, at most `max_bytes` of it: opened without
// blocking (a FIFO cannot stall the open) and checked before anything is read.
std::string read_regular_file(const std::string& path, const std::string& what, std::size_t max_bytes);

// What kind of file `mode` (st_mode) is, e.g. "a directory", "a FIFO", "a character device".
std::string file_kind(unsigned mode);

}  // namespace accsim
