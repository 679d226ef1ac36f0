#pragma once
// What a group of PVF experiments' reruns may know ahead (plane_rerun_engine.h's
// KnownChanges): the rows each experiment's flips corrupt, from the operand places
// (operand_places.h), and the struck fully-connected job's planes, computed for several
// experiments in one job. Each experiment needs one (image, corrupted row) plane of the
// job it strikes first, and that job of one row alone is planning-bound (fc1's 256 MACs
// cost 55.7 k instructions). The experiments whose first corrupted job is the same
// fully-connected job (p = q = 1) run it together, up to 2 atomic_k rows at a time (two
// output-channel groups, whose planning they share): their recorded inputs stacked as
// the batch against their corrupted rows (k = the rows), each experiment's planes on the
// diagonal of the result. A fault-free float array computes an image the same wherever
// it sits in a batch, and a row the same in whichever column when its rows hold the same
// input channels (same_rows), so each plane is the one the experiment's own job gives.
#include <optional>
#include <vector>

#include "arch/array_config.h"
#include "arch/mapping.h"
#include "arch/tensor.h"
#include "faultmodels/parameter_injection.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/plane_rerun_engine.h"
#include "workloads/pvf/operand_places.h"

namespace accsim {

struct StruckGroup {
  const ArrayConfig& array;
  const std::vector<Tensor>& stationary;  // per recorded job: its fault-free stationary operand
  const std::vector<Mapping>& mappings;   // per recorded job
  const std::vector<const OperandPlaces*>& places;  // per tensor of the parameter set; null: not known
};

// Per experiment (its image's record `goldens[k]`, its flips `injections[k]`): its known
// changes, none when a flipped tensor's places are not known. Planes only on float arrays.
std::vector<std::optional<KnownChanges>> struck_changes(const StruckGroup& group,
                                                        const std::vector<const GraphRun*>& goldens,
                                                        const std::vector<Injection>& injections);

}  // namespace accsim
