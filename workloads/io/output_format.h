#pragma once
// Every HDF5 results file says what it is: root attributes `format` (which command's
// layout, docs/outputs.md) and `version` (an integer, raised whenever a reader would
// notice the change). The error-model file's pair is in error_model_file.h.
#include <cstdint>
#include <string>

#include "workloads/io/results_file.h"

namespace accsim {

struct OutputFormat {
  const char* name;
  std::int64_t version;
};

inline constexpr OutputFormat kRunOutput{"accsim-run", 1};
inline constexpr OutputFormat kGraphRunOutput{"accsim-graph-run", 1};
inline constexpr OutputFormat kTopologyRunOutput{"accsim-topology-run", 1};
inline constexpr OutputFormat kTrainOutput{"accsim-train", 1};
inline constexpr OutputFormat kSweepOutput{"accsim-sweep", 1};
inline constexpr OutputFormat kDlrmOutput{"accsim-dlrm", 1};
inline constexpr OutputFormat kCampaignOutput{"accsim-campaign", 2};
inline constexpr OutputFormat kPvfOutput{"accsim-pvf", 2};
inline constexpr OutputFormat kReplayOutput{"accsim-replay", 1};

void write_output_format(ResultsFile& h5, const OutputFormat& format);

// InputError naming the file unless its root attributes are `format` and `version`.
void check_output_format(const std::string& file, const OutputFormat& format);

}  // namespace accsim
