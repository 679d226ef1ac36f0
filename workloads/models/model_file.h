#pragma once
// A network's parameters in HDF5, as training checkpoints store them and campaigns
// read them: /parameters/<layer>/weight [K,C,R,S] and /parameters/<layer>/bias [K],
// float32, with the network's name as attribute /parameters@network (a fixed-length
// string: results_file.h refuses variable-length ones).
#include <string>

#include "workloads/models/network.h"
#include "workloads/io/results_file.h"

namespace accsim {

void write_parameters(ResultsFile& h5, const Network& net, const NetworkParameters& params);

// Throws InputError naming the file when it lacks a layer, a shape differs from the
// network's (checked before any data is read: a file may declare any extent), or it was
// written for another network.
NetworkParameters read_parameters(const std::string& file, const Network& net);

}  // namespace accsim
