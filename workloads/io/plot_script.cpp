#include "workloads/io/plot_script.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <sstream>

#include "workloads/io/stale_temporaries.h"

extern char** environ;

namespace accsim {

namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr std::size_t kMaxErrorLines = 20;  // a traceback's tail: where and what

const std::string kNeedsMatplotlib = "needs /usr/bin/python3 with python3-matplotlib";

struct Child {
  int status = -1;     // waitpid status; -1: never started
  std::string stderr_text;
  int spawn_error = 0;
};

std::string read_all(int fd) {
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      return text;
    }
  }
}

// Runs argv with stdout on /dev/null and stderr captured.
Child run(std::vector<std::string> argv) {
  Child child;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    child.spawn_error = errno;
    return child;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  child.spawn_error = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (child.spawn_error == 0) {
    child.stderr_text = read_all(pipe_fds[0]);
    while (::waitpid(pid, &child.status, 0) < 0 && errno == EINTR) {
    }
  }
  ::close(pipe_fds[0]);
  return child;
}

// The last kMaxErrorLines non-empty lines, each indented by two spaces.
std::string indented_tail(const std::string& text) {
  std::deque<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    lines.push_back("  " + line);
    if (lines.size() > kMaxErrorLines) lines.pop_front();
  }
  std::string out;
  for (const std::string& l : lines) out += "\n" + l;
  return out;
}

std::string failure(const std::string& script, const Child& c) {
  if (c.spawn_error != 0) return kNeedsMatplotlib + " (" + kPython + ": " + std::strerror(c.spawn_error) + ")";
  if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == kPlotNeedsMatplotlib) return kNeedsMatplotlib;
  const std::string how = WIFEXITED(c.status) ? "exit status " + std::to_string(WEXITSTATUS(c.status))
                                               : "signal " + std::to_string(WTERMSIG(c.status));
  const std::string tail = indented_tail(c.stderr_text);
  return "tools/python/" + script + " failed (" + how + ")" + (tail.empty() ? ", no error message" : ":" + tail);
}

}  // namespace

PlotResult run_plot_script(const std::string& script, const std::vector<std::string>& args) {
  if (args.size() > 1) remove_stale_temporaries(args[1]);
  std::vector<std::string> argv = {kPython, std::string(ACCSIM_SOURCE_DIR) + "/tools/python/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  const Child c = run(argv);
  PlotResult r;
  r.drawn = c.spawn_error == 0 && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0;
  if (!r.drawn) r.problem = failure(script, c);
  return r;
}

bool draw_plot(const std::string& script, const std::vector<std::string>& args, std::ostream& notes) {
  const PlotResult r = run_plot_script(script, args);
  if (!r.drawn) notes << "accsim: note: no plot: " << r.problem << "\n";
  return r.drawn;
}

}  // namespace accsim
