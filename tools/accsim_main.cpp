#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  const int code = accsim::cli_main(argc, argv, std::cout, std::cerr);
  // Every output is committed and closed by now. The libraries' exit handlers are skipped:
  // libhdf5's would try again to close what a damaged input left open and print its own
  // lines after accsim's one-line error ("HDF5: infinite loop closing library").
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}
