#include "workloads/experiments/available_cpus.h"

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace accsim {

namespace {

int affinity_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max(1, CPU_COUNT(&set));
}

// The process's cgroup v2 path ("0::/user.slice/..." in /proc/self/cgroup); "/" when none.
std::string cgroup_v2_path() {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return "/";
}

// The tightest cpu.max quota of the process's cgroup and its ancestors.
std::optional<int> cgroup_quota_cpus() {
  std::filesystem::path dir = "/sys/fs/cgroup";
  std::vector<std::filesystem::path> dirs = {dir};
  for (const auto& part : std::filesystem::path(cgroup_v2_path()).relative_path())
    if (!part.empty()) dirs.push_back(dir /= part);
  std::optional<int> tightest;
  for (const auto& d : dirs) {
    std::ifstream in(d / "cpu.max");
    std::string text;
    if (!in || !std::getline(in, text)) continue;
    const std::optional<int> limit = cpu_max_limit(text);
    if (limit && (!tightest || *limit < *tightest)) tightest = limit;
  }
  return tightest;
}

}  // namespace

std::optional<int> cpu_max_limit(const std::string& text) {
  std::istringstream in(text);
  std::string quota;
  long long period = 0;
  if (!(in >> quota >> period) || period <= 0 || quota == "max") return std::nullopt;
  std::size_t used = 0;
  long long q = 0;
  try {
    q = std::stoll(quota, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != quota.size() || q <= 0) return std::nullopt;
  return static_cast<int>(std::max<long long>(1, (q + period - 1) / period));
}

int available_cpus() {
  const int cpus = affinity_cpus();
  const std::optional<int> quota = cgroup_quota_cpus();
  return std::max(1, quota ? std::min(cpus, *quota) : cpus);
}

int resolve_threads(int configured) { return configured > 0 ? configured : available_cpus(); }

}  // namespace accsim
