#pragma once
// Plots are drawn by small matplotlib scripts in tools/python/ (Debian's
// python3-matplotlib), run with /usr/bin/python3; a failed plot costs the plot, never
// the run. A failure is reported with the script's own error (its stderr); "needs
// python3-matplotlib" only when python3 cannot be run or the script exits with
// kPlotNeedsMatplotlib (tools/python/plot_csv.py: importing matplotlib failed).
#include <ostream>
#include <string>
#include <vector>

namespace accsim {

inline constexpr int kPlotNeedsMatplotlib = 3;

struct PlotResult {
  bool drawn = false;
  std::string problem;  // why not, when not drawn: one line, or a line and the script's stderr indented
};

// Runs tools/python/<script> with `args`: the CSV, the PNG, then script options (its
// stdout discarded, its stderr kept). Scripts save the PNG through a temporary
// (plot_csv.save_figure); those a killed script left are removed first.
PlotResult run_plot_script(const std::string& script, const std::vector<std::string>& args);

// run_plot_script, and "accsim: note: no plot ..." on `notes` when it failed; true when drawn.
bool draw_plot(const std::string& script, const std::vector<std::string>& args, std::ostream& notes);

}  // namespace accsim
