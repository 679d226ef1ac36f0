#pragma once
// SCALE-Sim topology CSV files as accsim workloads: one ConvJob per row.
//
// Convolution format (SCALE-Sim's default):
//   Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,
//   Conv1, 227, 227, 11, 11, 3, 96, 4,
// -> forward_conv job n = batch, c = Channels, h x w = IFMAP, k = Num Filter, r x s = Filter,
//    stride = Strides, pad = 0. SCALE-Sim topologies carry no padding: the IFMAP sizes are
//    the already padded ones, so P = (H - R) / stride + 1 and the filter must fit in the IFMAP.
//    As in SCALE-Sim, a layer whose name contains "DP" (depthwise) becomes Channels layers
//    named <name>Channel_<i>, each with one input channel and Num Filter filters.
//
// GEMM format (SCALE-Sim's `-i gemm`): an M x K operand times a K x N operand.
//   Layer Name, M, N, K,
//   fc1, 256, 128, 512,
// -> forward_fc job (a 1x1 convolution): batch n = M, input channels c = K,
//    output channels k = N, h = w = r = s = 1 (SCALE-Sim runs the same product as an
//    M x K ifmap with N filters of 1 x K). `batch` does not apply: M is the batch.
//
// Accepted as SCALE-Sim writes and reads them: the first non-blank line is the header,
// matched case-insensitively ignoring spaces ("Layer" is accepted for "Layer name");
// every row ends with a comma (optional here: SCALE-Sim's own gpt2.csv omits it);
// whitespace around fields is ignored; blank lines and lines of only commas (spreadsheet
// exports) are skipped; CRLF line ends and a UTF-8 byte-order mark are accepted. Fields
// cannot be quoted (SCALE-Sim splits on every comma). Every number is a decimal integer in
// [1, kMaxTopologyValue].
//
// Every problem is an InputError naming the file, the 1-based line and the column, e.g.
//   "topo.csv: line 4, column 'Strides': expected an integer in [1, 16777216], got 'x'".
#include <string>
#include <vector>

#include "arch/conv_job.h"

namespace accsim {

enum class TopologyFormat { conv, gemm };

constexpr long long kMaxTopologyValue = 1LL << 24;

struct Topology {
  std::string name;             // file name without directories and extension (SCALE-Sim's run name)
  TopologyFormat format = TopologyFormat::conv;
  std::vector<ConvJob> layers;  // in file order; swizzle_seed = index in this list
};

// Reads a topology file. `batch` (>= 1, else std::invalid_argument) is the n of every
// convolution layer. A missing or unreadable file is an InputError.
Topology parse_scalesim_topology(const std::string& file, int batch = 1);

// Parses topology text; `file` names it in error messages and gives the topology's name.
Topology parse_scalesim_topology_text(const std::string& text, const std::string& file, int batch = 1);

}  // namespace accsim
