#pragma once
// What every campaign checkpoint starts with: root attributes "format", "version" and
// "key" (the campaign's resume key), so that a run never resumes from another run's file.
#include <string>
#include <vector>

#include "workloads/io/results_file.h"

namespace accsim {

void write_checkpoint_header(ResultsFile& h5, const std::string& format, int version, const std::string& key);

// InputError naming the file (and telling how to start afresh) unless it is a
// checkpoint of this format, version and key. `kind`: "campaign", "PVF campaign";
// `inputs`: what a different key means, e.g. "the array, network, campaign keys, seed,
// model parameters or test images".
void check_checkpoint_header(const std::string& path, const std::string& format, int version, const std::string& key,
                             const std::string& kind, const std::string& inputs);

// Marks experiment `i` done as restored from a checkpoint and counts it in `loaded` (and
// in `done_count` when given), unless it was done already.
void mark_restored(std::vector<char>& done, std::size_t i, long long& loaded, long long* done_count = nullptr);

}  // namespace accsim
