#include "workloads/io/run_attributes.h"


namespace accsim {

void write_run_attributes(ResultsFile& h5, const std::string& config_file, const std::string& config_text,
                          std::uint64_t seed, const std::string& engine) {
  h5.set_attribute("/", "accsim_version", std::string(ACCSIM_VERSION));
  h5.set_attribute("/", "config", config_text);
  h5.set_attribute("/", "config_file", config_file);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(seed));
  h5.set_attribute("/", "engine", engine);
}

}  // namespace accsim
