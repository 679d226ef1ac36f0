#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <sstream>

#include "tools/cli/cli.h"
#include "workloads/experiments/mpi_session.h"
#include "workloads/experiments/rank_protocol.h"

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  try {
    accsim::start_mpi(argc, argv);  // only when mpirun or srun started this process
  } catch (const std::exception& e) {
    std::cerr << "accsim: " << e.what() << "\n";
    return 2;
  }
  // Ranks > 0 print nothing: rank 0 prints the results and the one-line error of any rank.
  const bool silent = accsim::mpi_rank() != 0;
  std::ostream none(nullptr);
  std::ostringstream err_text;
  int code = 0;
  bool retired = false;
  try {
    code = accsim::cli_main(argc, argv, silent ? none : std::cout, silent ? err_text : std::cerr);
  } catch (const accsim::RankRetired& r) {
    code = r.code;
    retired = true;
  }
  code = accsim::finish_ranks(code, err_text.str(), retired);
  // Every output is committed and closed by now. The libraries' exit handlers are skipped:
  // libhdf5's would try again to close what a damaged input left open and print its own
  // lines after accsim's one-line error ("HDF5: infinite loop closing library").
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
