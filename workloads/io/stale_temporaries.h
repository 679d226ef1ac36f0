#pragma once
// Temporary files of outputs being written: every output (HDF5, CSV, PNG) is written to
// "<path>.partial<pid>.<n>" next to it and renamed onto it when complete, so a reader
// never sees half a file. A process killed while writing leaves its temporary behind;
// the next writer of the same output removes it.
#include <string>

namespace accsim {

// "<path>.partial<pid>.<n>", unique among the writers of this process.
std::string temporary_name(const std::string& path);

// Removes the regular files "<path>.partial<pid>[.<anything>]" whose process no longer
// runs; those of this process and of live processes (another accsim writing the same
// output) stay. Best effort: what cannot be removed stays.
void remove_stale_temporaries(const std::string& path);

}  // namespace accsim
