#include "workloads/io/memory_limit.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "arch/input_error.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMiB = 1ULL << 20;

std::uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

// A limit file's value: a byte count; "max" (v2) and values past the machine (v1's
// "no limit" is 2^63 rounded to pages) mean none.
std::optional<std::uint64_t> limit_in(const fs::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!in || !(in >> text) || text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  return parse_memory_size(text);
}

// The cgroup paths of this process: "0::/a/b" (v2) and "N:memory:/a/b" (v1).
std::vector<fs::path> cgroup_limit_files() {
  std::vector<fs::path> files = {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    const bool v2 = line.rfind("0::", 0) == 0;
    const std::size_t v1 = line.find(":memory:");
    if (!v2 && v1 == std::string::npos) continue;
    fs::path dir = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    for (const auto& part : fs::path(line.substr(v2 ? 3 : v1 + 8)).relative_path()) {
      dir /= part;
      files.push_back(dir / (v2 ? "memory.max" : "memory.limit_in_bytes"));
    }
  }
  return files;
}

}  // namespace

std::optional<std::uint64_t> parse_memory_size(const std::string& text) {
  static const std::string kSuffixes = "KMGT";
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 19) return std::nullopt;
  std::string unit = text.substr(digits);
  if (unit.size() == 3 && unit.substr(1) == "iB") unit.resize(1);
  int shift = 0;
  if (!unit.empty()) {
    const std::size_t at = unit.size() == 1 ? kSuffixes.find(static_cast<char>(std::toupper(unit[0]))) : std::string::npos;
    if (at == std::string::npos) return std::nullopt;
    shift = 10 * static_cast<int>(at + 1);
  }
  const std::uint64_t value = std::strtoull(text.substr(0, digits).c_str(), nullptr, 10);
  if (value == 0 || value > (UINT64_MAX >> shift)) return std::nullopt;
  return value << shift;
}

std::uint64_t available_memory() {
  static const std::uint64_t available = [] {  // read once: checks run per layer
    std::uint64_t bytes = physical_memory();
    for (const fs::path& f : cgroup_limit_files())
      if (const std::optional<std::uint64_t> limit = limit_in(f)) bytes = std::min(bytes, *limit);
    return std::max(bytes, kMiB);
  }();
  return available;
}

std::uint64_t memory_limit() {
  const char* text = std::getenv(kMemoryLimitVariable);
  if (text == nullptr || *text == '\0') return available_memory() / 2;
  const std::optional<std::uint64_t> bytes = parse_memory_size(text);
  if (!bytes)
    throw InputError(std::string(kMemoryLimitVariable) + ": expected a size in bytes, optionally with a K, M, G or T "
                     "suffix (e.g. 64G), got '" + std::string(text).substr(0, 40) + "'");
  return *bytes;
}

std::string memory_text(double bytes) {
  static const char* const kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  for (; bytes >= 1024.0 && unit < 6; ++unit) bytes /= 1024.0;
  char buf[64];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.3g %s", bytes, kUnits[unit]);
  return buf;
}

void check_memory(double bytes, const std::string& what) {
  const std::uint64_t limit = memory_limit();
  if (!(bytes <= static_cast<double>(limit)))
    throw InputError(what + " needs about " + memory_text(bytes) + ", more than the memory limit of " +
                     memory_text(static_cast<double>(limit)) + " (" + kMemoryLimitVariable +
                     " raises it, docs/config.md)");
}

}  // namespace accsim
