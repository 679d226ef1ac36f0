#include "workloads/experiments/checkpoint_header.h"

#include <cstdint>

#include "arch/input_error.h"

namespace accsim {

void write_checkpoint_header(ResultsFile& h5, const std::string& format, int version, const std::string& key) {
  h5.set_attribute("/", "format", format);
  h5.set_attribute("/", "version", version);
  h5.set_attribute("/", "key", key);
}

void check_checkpoint_header(const std::string& path, const std::string& format, int version, const std::string& key,
                             const std::string& kind, const std::string& inputs) {
  const std::string what = kind + " checkpoint '" + path + "'";
  std::string found;
  try {
    found = read_string_attribute(path, "/", "format");
  } catch (const InputError& e) {
    throw InputError(what + " is not a " + kind + " checkpoint (" + e.what() + "); delete it to start afresh");
  }
  if (found != format)
    throw InputError(what + " is not a " + kind + " checkpoint (format '" + found + "'); delete it to start afresh");
  const std::int64_t v = read_int64_attribute(path, "/", "version");
  if (v != version)
    throw InputError(what + " has version " + std::to_string(v) + ", this accsim reads version " +
                     std::to_string(version) + "; delete it to start afresh");
  const std::string stored = read_string_attribute(path, "/", "key");
  if (stored != key)
    throw InputError(what + " belongs to another " + kind + " (key " + stored + ", this one's is " + key + "): " +
                     inputs + " changed since it was written. Rerun with the original config to finish it, or delete it "
                     "to start afresh");
}

void mark_restored(std::vector<char>& done, std::size_t i, long long& loaded, long long* done_count) {
  if (done[i]) return;
  done[i] = 1;
  ++loaded;
  if (done_count) ++*done_count;
}

}  // namespace accsim
