#pragma once
// The record of one replayed PVF experiment (`accsim replay` on a config with a "pvf"
// block, PvfReplayer in workloads/pvf/pvf_campaign.h): the experiment as the run records
// it and every flip of its injection (docs/pvf.md "Replaying an experiment").
#include <cstddef>

#include "workloads/io/results_file.h"
#include "workloads/pvf/pvf_campaign.h"

namespace accsim {

// /experiment/* (the run's /experiments/* datasets, one row), /injection/*, /variants,
// /tensors, the unprotected model's runs of the image (`runs`: /node_names,
// /batches/0/{golden,faulty}/<node>, /images/*) and the root attributes, among them
// first_nonfinite_node.
void write_pvf_replay(ResultsFile& h5, const PvfCampaign& campaign, const PvfResults& plan, std::size_t index,
                      const PvfExperiment& experiment, const Injection& injection, const PvfRuns& runs);

}  // namespace accsim
