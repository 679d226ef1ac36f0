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
  return accsim::finish_ranks(code, err_text.str(), retired);
}
