#pragma once
// The transaction from SDP to PDP: one finished pixel tile's results (length positions x
// channels). The job's last tile also carries what PDP needs to end the job: the core's
// cycles (from its start to this tile) and SDP's own tail.
#include <ostream>

namespace accsim {

struct SdpOutput {
  long long first_pixel = 0;  // flattened output position (n, p, q) of the tile's first row
  int length = 0;             // output positions in the tile
  int channels = 0;           // output channels the tile's columns served
  bool last = false;          // the job's last tile
  long long core = 0, sdp_tail = 0;  // set on the last tile only

  long long results() const { return static_cast<long long>(length) * channels; }
  bool operator==(const SdpOutput& o) const {
    return first_pixel == o.first_pixel && length == o.length && channels == o.channels && last == o.last &&
           core == o.core && sdp_tail == o.sdp_tail;
  }
};

// sc_fifo prints its content with operator<<.
inline std::ostream& operator<<(std::ostream& os, const SdpOutput& o) {
  return os << "sdp@" << o.first_pixel << "x" << o.length << "x" << o.channels << (o.last ? " last" : "");
}

}  // namespace accsim
