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
// Accepted as SCALE-Sim's own reader (scalesim/topology_utils.py) accepts them. SCALE-Sim
// skips the first line and reads every row by position: it strips the row, splits it on
// every comma and drops what follows the last comma. accsim does the same:
// - the first non-blank line is the header. It picks the format: its first name must be
//   "Layer name" or "Layer"; 4 names is GEMM, 8 or more is a convolution. Names are
//   matched case-insensitively ignoring spaces (and no-break spaces); a name that differs
//   from SCALE-Sim's at its position (DeepSpeech2.csv's second "IFMAP Width") and names
//   past the format's columns are accepted with a warning: columns are read by position;
// - text after a row's last comma (mobilnet_paper.csv's `,#dw`) is ignored with a warning,
//   as SCALE-Sim drops it; a row without a trailing comma that holds exactly the format's
//   fields is accepted as is (SCALE-Sim's gpt2.csv omits it);
// - a convolution row may give a 9th field, SCALE-Sim's stride width: it must equal
//   Strides (accsim models one stride for both directions); further fields must be
//   integers (SCALE-Sim converts them) and are ignored with a warning. Fields after a
//   GEMM row's K are ignored with a warning (SCALE-Sim does not read them);
// - whitespace around fields is ignored; blank lines and lines of only commas
//   (spreadsheet exports) are skipped; CRLF line ends and a UTF-8 byte-order mark are
//   accepted. Fields cannot be quoted (SCALE-Sim splits on every comma). Every number
//   read is a decimal integer in [1, kMaxTopologyValue].
// Warnings are lines in Topology::warnings (the file named, lines listed), one per kind.
//
// Size: the layers (a depthwise row counts one per channel; 1 KiB each in a run) must fit
// the memory limit (memory_limit.h): an InputError naming the line otherwise, before the
// layers are built.
//
// Every problem is an InputError naming the file, the 1-based line and the column, e.g.
//   "topo.csv: line 4, column 'Strides': expected an integer in [1, 16777216], got 'x'".
#include <cstddef>
#include <string>
#include <vector>

#include "arch/conv_job.h"

namespace accsim {

enum class TopologyFormat { conv, gemm };

constexpr long long kMaxTopologyValue = 1LL << 24;
constexpr std::size_t kMaxTopologyBytes = std::size_t{16} << 20;  // a topology file

struct Topology {
  std::string name;             // file name without directories and extension (SCALE-Sim's topology name)
  TopologyFormat format = TopologyFormat::conv;
  std::vector<ConvJob> layers;  // in file order; swizzle_seed = index in this list
  std::vector<std::string> warnings;  // what SCALE-Sim accepts that accsim reads with a caveat
};

// Reads a topology file. `batch` (>= 1, else std::invalid_argument) is the n of every
// convolution layer. A missing or unreadable file, one that is not a regular file (a FIFO,
// a device) or one over kMaxTopologyBytes is an InputError.
Topology parse_scalesim_topology(const std::string& file, int batch = 1);

// Parses topology text; `file` names it in error messages and gives the topology's name.
Topology parse_scalesim_topology_text(const std::string& text, const std::string& file, int batch = 1);

}  // namespace accsim
