#pragma once
// The transaction from CACC to SDP: a finished pixel tile's accumulator words, one per
// (atomic operation, column), with the output channel each column served.
#include <cstdint>
#include <ostream>
#include <vector>

namespace accsim {

struct TileResult {
  long long first_pixel = 0;         // flattened output position of the tile's first row
  int length = 0;                    // output positions in the tile
  std::vector<int> columns;          // output channel per column, -1: idle
  std::vector<std::uint32_t> words;  // [length][columns.size()] accumulator words

  bool operator==(const TileResult& o) const {
    return first_pixel == o.first_pixel && length == o.length && columns == o.columns && words == o.words;
  }
};

// sc_fifo prints its content with operator<<.
inline std::ostream& operator<<(std::ostream& os, const TileResult& t) {
  return os << "tile@" << t.first_pixel << "x" << t.length;
}

}  // namespace accsim
