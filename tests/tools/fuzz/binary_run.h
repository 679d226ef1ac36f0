#pragma once
// Runs the accsim binary itself (not cli_main in-process) for the fuzz tests: a crash is
// the child's signal, a hang is a deadline passed, and everything it spawns (the plot
// scripts) is ended with it, its process group.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace accsim::fuzz {

struct BinaryRun {
  bool exited = false;  // false: ended by a signal (its own or ours at the deadline)
  bool timed_out = false;
  int code = -1;
  int signal = 0;
  std::string out, err;
  double seconds = 0;
};

// This build's binary, or ACCSIM_FUZZ_BINARY (another build, a copy that a rebuild leaves alone).
inline std::string accsim_binary() {
  const char* other = std::getenv("ACCSIM_FUZZ_BINARY");
  return other && *other ? other : std::string(ACCSIM_BINARY_DIR) + "/tools/accsim";
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The binary's environment: no leak check (libhdf5 leaks on a damaged file's error paths;
// a leak is no crash), ASan/UBSan errors abort (a signal the test reports), and a memory
// limit well below the machine's so that an input declaring huge sizes is refused early.
inline void child_environment() {
  ::setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 1);
  ::setenv("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1", 1);
  ::setenv("ACCSIM_MEMORY_LIMIT", "2G", 1);
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  ::unsetenv("ACCSIM_CONFIG_DIR");
}

[[noreturn]] inline void exec_child(std::vector<std::string> args, const std::string& out_file,
                                    const std::string& err_file) {
  ::setpgid(0, 0);
  child_environment();
  const int in = ::open("/dev/null", O_RDONLY);
  const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in < 0 || out < 0 || err < 0) ::_exit(126);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

// Runs `accsim args...` with stdout and stderr in `out_file` and `err_file`; after
// `timeout_s` seconds its whole process group is killed.
inline BinaryRun run_binary(const std::vector<std::string>& args, const std::string& out_file,
                            const std::string& err_file, double timeout_s) {
  std::vector<std::string> full = {accsim_binary()};
  full.insert(full.end(), args.begin(), args.end());
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(full, out_file, err_file);
  ::setpgid(pid, pid);  // as the child does: whichever runs first
  BinaryRun r;
  for (;;) {
    // WNOWAIT: the exited child stays a zombie, so its process group id cannot be reused
    // before the group (a plot script it left running) is killed below.
    siginfo_t info{};
    const int done = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done == 0 && info.si_pid == pid) break;
    if (r.seconds > timeout_s && !r.timed_out) {
      r.timed_out = true;
      ::kill(-pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exited = WIFEXITED(status);
  r.code = r.exited ? WEXITSTATUS(status) : -1;
  r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  r.out = read_text(out_file);
  r.err = read_text(err_file);
  return r;
}

}  // namespace accsim::fuzz
