#pragma once
// Untrusted JSON text (config files, option values) parsed within bounds. nlohmann's DOM
// parse alone would accept duplicate keys (the last wins) and anything after a NUL byte,
// and builds documents nested so deep that serialising or copying them (recursive code)
// overflows the stack. Every limit is documented in docs/config.md.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace accsim {

inline constexpr int kMaxJsonDepth = 64;                          // nested objects and arrays
inline constexpr std::size_t kMaxJsonKeyBytes = 256;              // one object key
inline constexpr std::size_t kMaxJsonStringBytes = 4096;          // one string value
inline constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;  // one config file

// Parses `text` (the whole of it). InputError "`source`: <JSON path>: <problem>" for
// malformed JSON (line and column given), a NUL byte, a key that appears twice in one
// object, nesting deeper than kMaxJsonDepth, a key or a string longer than its limit, or a
// number outside the range of a double (1e400); the message quotes at most a short excerpt.
nlohmann::json parse_bounded_json(const std::string& text, const std::string& source);

}  // namespace accsim
