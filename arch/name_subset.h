#pragma once
// A config key holding a set of names (sites, kinds, passes of a campaign): a non-empty
// array of distinct names from an allowed list; an absent key means all of them.
#include <string>
#include <vector>

#include "arch/config_reader.h"

namespace accsim {

// The names in the order given; InputError naming the key (and element) otherwise.
std::vector<std::string> read_name_subset(ConfigReader& r, const std::string& key, const std::vector<std::string>& allowed);

}  // namespace accsim
