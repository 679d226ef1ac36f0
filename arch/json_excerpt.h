#pragma once
// Values quoted in error messages: one short line, however large, deep or multi-line the
// value a user gave (a 10 MB string, a key with a newline, an array nested 1000 deep).
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace accsim {

inline constexpr std::size_t kExcerptChars = 48;

// `value` as JSON text, at most `max_chars` characters ("..." ends a cut value); control
// characters are escaped. Never serialises more of the value than it shows.
std::string json_excerpt(const nlohmann::json& value, std::size_t max_chars = kExcerptChars);

// `text` as a JSON string literal ("a\nb" with its quotes), cut the same way.
std::string quoted_excerpt(const std::string& text, std::size_t max_chars = kExcerptChars);

// `message` made one printable line: control characters escaped (\n, \t, \u0001), and
// cut to `max_chars` with a note of how much was cut. The CLI prints every error so.
std::string one_line(const std::string& message, std::size_t max_chars = 4096);

}  // namespace accsim
