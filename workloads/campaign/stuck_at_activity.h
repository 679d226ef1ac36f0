#pragma once
// Whether a stuck-at can change anything in one array job whose operands are the
// fault-free ones: the campaign evaluators skip the jobs (layers, graph nodes) where it
// provably cannot. The answer is conservative: true unless the fault provably acts on
// nothing.
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "workloads/models/inference.h"

namespace accsim {

// `job`: the job's record (shape, streamed operand `job.input`); `weights`: its
// stationary operand [k, c, r, s]; `mapping`: the job's Mapping on `array`; dirty[i]:
// image i's input differs from the fault-free one (those images are recomputed anyway,
// their values are not looked at).
//  - a column that serves no output channel in any group: no site of it acts (an idle
//    column's results never leave the array);
//  - a weight or input stuck-at acts only if the faulty register, where its row serves a
//    channel, ever holds a value whose bits it alters (padding holds 0); a product
//    stuck-at acts wherever its row serves a channel; and where the row is idle, any of
//    the three acts only if it turns the PE's product from +0 into another word (idle
//    registers hold +0: a stuck-at-1 of an idle input register multiplies +0 weights).
//    Checked on fp32 arrays only (other formats hold converted words: true);
//  - every other site: true.
bool stuck_at_acts(const HardwareFault& fault, const PeFaults& faults, const ArrayConfig& array, const LayerRun& job,
                   const Tensor& weights, const Mapping& mapping, const std::vector<char>& dirty);

}  // namespace accsim
