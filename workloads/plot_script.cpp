#include "workloads/plot_script.h"

#include <cstdlib>

namespace accsim {

namespace {

std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

bool run_plot_script(const std::string& script, const std::vector<std::string>& args) {
  std::string cmd = "/usr/bin/python3 " + quoted(std::string(ACCSIM_SOURCE_DIR) + "/tools/python/" + script);
  for (const auto& a : args) cmd += " " + quoted(a);
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace accsim
