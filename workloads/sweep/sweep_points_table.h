#pragma once
// A sweep's points as a table: the columns of SweepPointResult (the campaign's only when
// the sweep runs one), as the HDF5 output and the checkpoint hold them, and the CSV with
// the swept values and the analytical ratio.
#include <string>
#include <vector>

#include "workloads/io/results_file.h"
#include "workloads/io/table.h"
#include "workloads/sweep/sweep.h"

namespace accsim {

// The finished points, `point` (index) first; the campaign's columns only when it ran.
Table points_table(const std::vector<SweepPointResult>& points, bool campaign);

// Row r of a points table read back (columns by name).
SweepPointResult point_of(const ResultsTable& t, std::size_t r);

// The CSV: the points table with the swept values after `point` and analytical_ratio
// after the timing columns.
Table csv_table(const Sweep& sweep, const std::vector<SweepPointResult>& points);

// A swept value as tables show it: JSON strings without their quotes, other values as JSON.
std::string value_text(const std::string& json_text);

}  // namespace accsim
