#pragma once
// A sweep's checkpoint (`<out>.checkpoint.h5`, run_checkpoint.h): its finished points
// under a key of everything that decides their results, so that a rerun resumes only the
// same sweep and redoes no finished point.
#include <ostream>
#include <string>
#include <vector>

#include "workloads/sweep/sweep.h"

namespace accsim {

// Everything that decides the points' results, the input files' bytes included, and
// nothing else (not thread counts).
std::string sweep_key(const Sweep& sweep, const SweepOptions& options);

// The finished points of `result` and their layers.
void write_sweep_checkpoint(const std::string& file, const std::string& key, const SweepResult& result, bool campaign);

// The points of the checkpoint `file`, when it exists, into `result` (sized to the
// sweep); the number resumed, said on `out`. InputError for another sweep's checkpoint.
int resume_sweep_points(const std::string& file, const std::string& key, const Sweep& sweep, SweepResult& result,
                        std::ostream& out);

}  // namespace accsim
