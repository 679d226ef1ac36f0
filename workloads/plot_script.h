#pragma once
// Plots are drawn by small matplotlib scripts in tools/python/ (Debian's
// python3-matplotlib), run with /usr/bin/python3; a missing matplotlib costs the plot,
// never the run.
#include <string>
#include <vector>

namespace accsim {

// Runs tools/python/<script> with `args`; true when it succeeded.
bool run_plot_script(const std::string& script, const std::vector<std::string>& args);

}  // namespace accsim
