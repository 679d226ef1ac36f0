#include "workloads/io/run_attributes.h"

namespace accsim {

void write_run_attributes(ResultsFile& h5, const RunConfig& rc, std::uint64_t seed, const std::string& engine) {
  h5.set_attribute("/", "accsim_version", std::string(ACCSIM_VERSION));
  h5.set_attribute("/", "config", rc.json_text);
  h5.set_attribute("/", "config_file", rc.file);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(seed));
  h5.set_attribute("/", "engine", engine);
}

}  // namespace accsim
