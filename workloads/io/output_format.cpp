#include "workloads/io/output_format.h"

#include "arch/input_error.h"

namespace accsim {

void write_output_format(ResultsFile& h5, const OutputFormat& format) {
  h5.set_attribute("/", "format", std::string(format.name));
  h5.set_attribute("/", "version", format.version);
}

void check_output_format(const std::string& file, const OutputFormat& format) {
  std::string name;
  try {
    name = read_string_attribute(file, "/", "format");
  } catch (const InputError&) {
    throw InputError(file + ": not an accsim results file (no /format attribute)");
  }
  if (name != format.name)
    throw InputError(file + ": /format is \"" + name + "\", expected \"" + format.name + "\"");
  const std::int64_t version = read_int64_attribute(file, "/", "version");
  if (version != format.version)
    throw InputError(file + ": " + name + " version " + std::to_string(version) + ", expected version " +
                     std::to_string(format.version) + " (docs/outputs.md)");
}

}  // namespace accsim
