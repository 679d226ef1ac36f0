#pragma once
// `accsim --help` (the commands and the options they share) and `accsim COMMAND --help`
// (that command's options, the config keys it reads and its default output), both from
// the command table.
#include <ostream>

#include "tools/cli/command_table.h"

namespace accsim {

void print_general_help(std::ostream& out);
void print_command_help(const CommandSpec& command, std::ostream& out);

}  // namespace accsim
