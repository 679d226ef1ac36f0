#include <cstdlib>
#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return accsim::cli_main(argc, argv, std::cout, std::cerr);
}
