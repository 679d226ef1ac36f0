#pragma once
// An analytical cycle estimate of a job, SCALE-Sim style: compute cycles plus the weight
// fill that double buffering does not hide plus the pipeline drain. It counts folds and
// stripes by class instead of walking the loop nest, and is written without Schedule,
// StripeTimeline or closed_form_timing so that it can cross-check them (docs/cycle_model.md,
// "Analytical cross-check").
//
// With G = ceil(K/atomic_k) groups, B = ceil(C/atomic_c) blocks, RS = R*S, M = n*p*q output
// positions, L = stripe_length, T = ceil(M/L) tiles, last tile L_T = M - (T-1)L:
//   compute = G * B * RS * M                       one atomic operation per cycle
//   fill(rows, cols) = ceil(rows * cols * bytes_per_element / weight_load_bytes_per_cycle)
//   A fold (g, b) is one of four classes (full or last block) x (full or last group); a
//   class with `count` folds loads fill(rows, cols) for each of its count * RS * T stripes.
//   Each stripe's load hides behind a predecessor assumed as long as the stripe itself:
//     hidden_not(W) = RS * ((T-1) * max(0, W - L) + max(0, W - L_T))
//   stall   = W0 + sum over classes count * hidden_not(W_class) - max(0, W0 - l0)
//             (the first load W0 = fill(min(C, atomic_c), min(K, atomic_k)) is never
//             hidden; l0 = length of the first stripe, whose own term is replaced by W0)
//   cycles  = compute + stall + mac_pipeline_depth
// The one approximation: the first stripe of a tile follows the previous tile's last
// stripe, not one of its own length. Over a job these errors cancel except at the last
// tile of group 0, so the estimate exceeds the cycle model by
// max(0, W0 - L_T) - max(0, W0 - L) (T > 1), never more than one weight load W0, and
// equals it whenever every load hides behind the shortest stripe (W0 <= L_T).
#include "arch/array_config.h"
#include "arch/conv_job.h"

namespace accsim {

struct AnalyticalCycles {
  long long compute = 0;   // atomic operations: G * B * R * S * M
  long long stall = 0;     // weight fill not hidden by double buffering (incl. the first load)
  long long pipeline = 0;  // mac_pipeline_depth, paid once to drain
  long long cycles = 0;    // compute + stall + pipeline
};

// Throws std::invalid_argument for a shape that ConvShape::validate rejects.
AnalyticalCycles analytical_cycles(const ConvShape& shape, const ArrayConfig& array);

}  // namespace accsim
