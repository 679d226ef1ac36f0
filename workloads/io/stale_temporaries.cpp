#include "workloads/io/stale_temporaries.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string_view>

#include "workloads/io/file_names.h"

namespace accsim {

namespace {

namespace fs = std::filesystem;

// Distinguishes the temporary files of concurrent writers in one process.
std::atomic<unsigned long long> g_temp_counter{0};

// The pid of `suffix` when it is ".partial<pid>" or ".partial<pid>.<rest>", else 0.
pid_t suffix_pid(std::string_view suffix) {
  const std::string_view prefix = ".partial";
  if (suffix.substr(0, prefix.size()) != prefix) return 0;
  suffix.remove_prefix(prefix.size());
  const std::size_t digits = suffix.find_first_not_of("0123456789");
  const std::string_view number = suffix.substr(0, digits);
  if (number.empty() || number.size() > 9 || (digits != std::string_view::npos && suffix[digits] != '.')) return 0;
  return static_cast<pid_t>(std::stol(std::string(number)));
}

// The pid of the writer whose temporary of `target` the file `name` is, else 0: `name` is
// name_beside(target, suffix) for a temporary's suffix (a long target's name shortened).
pid_t temporary_pid(const std::string& name, const std::string& target) {
  for (std::size_t at = name.find(".partial"); at != std::string::npos; at = name.find(".partial", at + 1)) {
    const std::string suffix = name.substr(at);
    const pid_t pid = suffix_pid(suffix);
    if (pid > 0 && fs::path(name_beside(target, suffix)).filename() == name) return pid;
  }
  return 0;
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

std::string temporary_name(const std::string& path) {
  return name_beside(path, ".partial" + std::to_string(::getpid()) + "." + std::to_string(g_temp_counter.fetch_add(1)));
}

void remove_stale_temporaries(const std::string& path) {
  const fs::path target(path);
  if (target.filename().empty()) return;
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const pid_t pid = temporary_pid(it->path().filename().string(), path);
    if (pid <= 0 || pid == ::getpid() || !process_gone(pid)) continue;
    std::error_code ignored;
    if (it->is_regular_file(ignored)) fs::remove(it->path(), ignored);
  }
}

}  // namespace accsim
