#pragma once
// The `accsim` command line: parses options, dispatches, and maps errors to exit
// codes (0 success, 1 internal error, 2 bad input or usage).
#include <ostream>

namespace accsim {

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace accsim
