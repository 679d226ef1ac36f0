#include "workloads/io/file_names.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>

namespace accsim {

namespace {

constexpr std::size_t kDefaultNameMax = 255;

std::uint64_t fnv1a(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace

std::size_t file_name_limit(const std::string& dir) {
  const long limit = ::pathconf(dir.empty() ? "." : dir.c_str(), _PC_NAME_MAX);
  return limit > 0 ? static_cast<std::size_t>(limit) : kDefaultNameMax;
}

std::string name_beside(const std::string& target, const std::string& suffix) {
  const std::filesystem::path path(target);
  const std::string name = path.filename().string();
  const std::size_t limit = file_name_limit(path.parent_path().string());
  if (name.size() + suffix.size() <= limit) return target + suffix;
  char hash[24];
  std::snprintf(hash, sizeof hash, "~%016llx", static_cast<unsigned long long>(fnv1a(name)));
  const std::size_t room = limit > suffix.size() + 17 ? limit - suffix.size() - 17 : 0;
  std::size_t keep = std::min(room, name.size());
  while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;  // whole UTF-8 characters
  return (path.parent_path() / (name.substr(0, keep) + hash + suffix)).string();
}

}  // namespace accsim
