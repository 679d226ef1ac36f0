#pragma once
// The comma-separated rows SCALE-Sim writes and reads (topologies, compute reports):
// fields split on every comma (no quoting), trimmed, a trailing comma allowed.
#include <string>
#include <string_view>
#include <vector>

namespace accsim {

std::string_view trim_field(std::string_view s);
// Lowercase, whitespace removed: how header names are compared.
std::string normalise_header(std::string_view s);
// The trimmed fields of a row; the empty field after a row's trailing comma is dropped.
std::vector<std::string> split_fields(std::string_view line);

}  // namespace accsim
