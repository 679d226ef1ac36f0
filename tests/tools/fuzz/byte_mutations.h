#pragma once
// Mutations of a data file's bytes (an HDF5 model, an ONNX model, a topology CSV, an IDX
// file before or after its gzip): bytes flipped, the file cut short or emptied, a range
// zeroed or set to 0xff (sizes and offsets become huge), a range repeated, garbage
// appended; for text, lines dropped or repeated and numbers made hostile.
#include <string>
#include <vector>

#include "tools/fuzz/json_mutations.h"

namespace accsim::fuzz {

struct MutatedBytes {
  std::string bytes;
  std::string what;
};

// A position, mostly within the first `hot` bytes (headers, metadata) when `hot` > 0.
inline std::size_t position(Rng& rng, std::size_t size, std::size_t hot) {
  if (size == 0) return 0;
  if (hot > 0 && pick(rng, 4) != 0) return pick(rng, std::min(size, hot));
  return pick(rng, size);
}

inline MutatedBytes mutate_bytes(const std::string& in, Rng& rng, std::size_t hot) {
  std::string b = in;
  const std::size_t at = position(rng, b.size(), hot);
  const std::size_t len = std::min<std::size_t>(1 + pick(rng, 8), b.size() - at);
  const std::string where = " at " + std::to_string(at);
  switch (pick(rng, 7)) {
    case 0: {
      std::string what = "bytes set:";
      for (std::size_t n = 1 + pick(rng, 8); n > 0; --n) {
        const std::size_t p = position(rng, b.size(), hot);
        b[p] = static_cast<char>(pick(rng, 256));
        what += " [" + std::to_string(p) + "]=" + std::to_string(static_cast<unsigned char>(b[p]));
      }
      return {b, what};
    }
    case 1:
      return {b.substr(0, at), "cut to " + std::to_string(at) + " bytes"};
    case 2:
      return {std::string(), "emptied"};
    case 3:
      b.replace(at, len, len, '\0');
      return {b, std::to_string(len) + " bytes zeroed" + where};
    case 4:
      b.replace(at, len, len, '\xff');
      return {b, std::to_string(len) + " bytes set to 0xff" + where};
    case 5:
      b.insert(at, b.substr(at, 64));
      return {b, "64 bytes repeated" + where};
    default:
      b += std::string(1 + pick(rng, 4096), '\x5a');
      return {b, "garbage appended"};
  }
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(text.substr(start, nl - start));
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

// A CSV's text mutated: a number field made hostile, a line dropped or repeated, a field
// dropped or added, or bytes as for any file.
inline MutatedBytes mutate_text_lines(const std::string& in, Rng& rng) {
  std::vector<std::string> lines = split_lines(in);
  if (lines.empty() || pick(rng, 4) == 0) return mutate_bytes(in, rng, 0);
  const std::size_t i = pick(rng, lines.size());
  std::string& line = lines[i];
  const std::string where = "line " + std::to_string(i + 1) + ": ";
  switch (pick(rng, 4)) {
    case 0: {
      const std::size_t comma = line.find(',', pick(rng, line.size() + 1));
      const std::size_t end = comma == std::string::npos ? line.size() : comma;
      const std::size_t begin = line.rfind(',', end == 0 ? 0 : end - 1);
      const std::size_t from = begin == std::string::npos || begin >= end ? 0 : begin + 1;
      static const std::vector<std::string> values = {"0", "-1", "16777216", "4294967296", "1e400", "nan", "x",
                                                      "", "99999999999999999999", "2.5", "0x10"};
      const std::string v = pick_of(rng, values);
      line.replace(from, end - from, " " + v);
      return {join_lines(lines), where + "a field set to '" + v + "'"};
    }
    case 1:
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(i));
      return {join_lines(lines), where + "dropped"};
    case 2:
      lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(i), line);
      return {join_lines(lines), where + "repeated"};
    default:
      line += pick(rng, 2) ? " 7," : std::string(5000, ',');
      return {join_lines(lines), where + "fields added"};
  }
}

}  // namespace accsim::fuzz
