#pragma once
// Code that may crash, leak inside a library or fill the disk, run in a forked child: its
// crash is reported, not suffered (the test process survives it), and it ends with
// _exit (no leak check of what libhdf5 leaks on a damaged file's error paths).
// A full disk without root: a child whose files may not grow past a size (setrlimit
// RLIMIT_FSIZE), with SIGXFSZ ignored so that a write past the limit fails with EFBIG
// ("File too large") as a write to a full disk fails with ENOSPC.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

namespace accsim::testing {

struct ChildOutcome {
  bool exited = false;  // false: killed by `signal` (a crash)
  int code = -1;
  int signal = 0;
  std::string text;  // what the child reported
  std::string describe() const {
    return (exited ? "exit " + std::to_string(code) : "signal " + std::to_string(signal)) + ": " + text;
  }
};

// Runs fn(text) in a child limited to `max_file_bytes` per file; its return value is
// the child's exit code and `text` comes back in ChildOutcome::text.
inline ChildOutcome run_in_child(const std::function<int(std::string&)>& fn, rlim_t max_file_bytes = RLIM_INFINITY) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (max_file_bytes != RLIM_INFINITY) {
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{max_file_bytes, max_file_bytes};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::string text;
    int code = 125;
    try {
      code = fn(text);
    } catch (const std::exception& e) {
      text = std::string("uncaught exception: ") + e.what();
    }
    for (std::size_t done = 0; done < text.size();) {
      const ssize_t n = ::write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::_exit(code);
  }
  ::close(fds[1]);
  ChildOutcome out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.exited = WIFEXITED(status);
  out.code = out.exited ? WEXITSTATUS(status) : -1;
  out.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  return out;
}

inline ChildOutcome run_with_file_size_limit(rlim_t max_file_bytes, const std::function<int(std::string&)>& fn) {
  return run_in_child(fn, max_file_bytes);
}

}  // namespace accsim::testing
