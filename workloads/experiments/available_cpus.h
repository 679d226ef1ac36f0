#pragma once
// How many CPUs this process may use, the default thread count of every long command:
// the CPUs of its affinity mask (taskset, cpusets), capped by the cgroup v2 CPU quota
// (cpu.max of its cgroup and of every ancestor; containers and systemd limits), not the
// machine's core count, which a limited process cannot use and only oversubscribes.
#include <optional>
#include <string>

namespace accsim {

// At least 1.
int available_cpus();

// The CPUs a cgroup v2 cpu.max line allows, rounded up: "200000 100000" -> 2,
// "150000 100000" -> 2; nullopt for no limit ("max 100000") or text that is not a quota.
std::optional<int> cpu_max_limit(const std::string& text);

// The threads of a run: `configured` when > 0, otherwise available_cpus().
int resolve_threads(int configured);

}  // namespace accsim
