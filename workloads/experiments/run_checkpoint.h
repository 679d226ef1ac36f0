#pragma once
// The one checkpoint rule of every resumable command (train, sweep, campaign, pvf): a run
// keeps its progress in "<out>.checkpoint.h5" next to its results, rewritten atomically
// as it goes. An interrupted run (a kill, Ctrl-C, an error, a stop) leaves it for a rerun
// of the same command to resume from; a completed run deletes it once every output is
// written.
#include <string>
#include <vector>

namespace accsim {

// "<out_file>.checkpoint.h5", shortened to fit the file-name limit (workloads/io/file_names.h).
std::string checkpoint_path(const std::string& out_file);

// Deletes the checkpoint of `out_file`: call it once every output of a completed run
// is written. A checkpoint that cannot be deleted is left (the next run of the same
// command finds it complete).
void discard_checkpoint(const std::string& out_file);

// The config text a resume key is built from: `json_text` without `ignored` keys (JSON
// paths such as "training.threads"), settings that never change results, so that a
// checkpoint resumes whatever they are. Text that is not JSON is returned as is.
std::string resume_key_text(const std::string& json_text, const std::vector<std::string>& ignored);

// Every config key that never changes results: the thread counts and checkpoint periods
// of every block ("sweep.threads", "campaign.checkpoint_seconds", ...).
const std::vector<std::string>& result_independent_keys();

}  // namespace accsim
