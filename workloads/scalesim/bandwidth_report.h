#pragma once
// BANDWIDTH_REPORT.csv next to COMPUTE_REPORT.csv (SCALE-Sim's folder and dialect: ", "
// between fields, a comma ending every line, Python's floats). SCALE-Sim's column names
// where the meaning matches, accsim's own where it does not; averages are over the
// job's total cycles, in elements (SCALE-Sim's words) per cycle:
//   LayerID                 0, 1, ... in topology order
//   Avg IFMAP SRAM BW       CBUF feature-data elements CSC reads per cycle (one input
//                           cube per atomic operation, padding included)
//   Avg FILTER SRAM BW      CBUF weight elements CSC reads per cycle (every stripe's weights)
//   Avg OFMAP SRAM BW       SCALE-Sim's is output-buffer writes; here CACC's results
//                           handed to SDP per cycle (no output SRAM on NVDLA's path)
//   Avg IFMAP DRAM BW       feature-data elements CDMA reads from DRAM per cycle
//   Avg FILTER DRAM BW      weight elements CDMA reads from DRAM per cycle (re-fetches included)
//   Avg OFMAP DRAM BW       result elements SDP writes to DRAM per cycle
//   DRAM Read Bytes, DRAM Write Bytes, CBUF Read Bytes, CBUF Write Bytes   (accsim's) totals
// Without array.memory the DRAM and CBUF columns are 0 (an ideal memory side moves nothing
// that is modelled), and the SRAM columns still describe CSC's reads.
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/conv_job.h"
#include "arch/job_timing.h"

namespace accsim {

struct BandwidthReportRow {
  double ifmap_sram = 0, filter_sram = 0, ofmap_sram = 0, ifmap_dram = 0, filter_dram = 0, ofmap_dram = 0;
  long long dram_read_bytes = 0, dram_write_bytes = 0, cbuf_read_bytes = 0, cbuf_write_bytes = 0;
};

BandwidthReportRow bandwidth_report_row(const ConvShape& shape, const ArrayConfig& array, const JobTiming& timing);

// <log dir>/<run name>/BANDWIDTH_REPORT.csv, beside compute_report_path.
std::string bandwidth_report_path(const std::string& results_file);
std::string format_bandwidth_report(const std::vector<BandwidthReportRow>& rows);
// Written to a temporary file, then renamed over `path`; failures are InputErrors naming it.
void write_bandwidth_report(const std::string& path, const std::vector<BandwidthReportRow>& rows);

}  // namespace accsim
