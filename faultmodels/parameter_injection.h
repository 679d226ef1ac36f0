#pragma once
// Draws a parameter fault model on a target and applies it in place, returning what
// changed so that a campaign can report it and undo it.
//
//   ParameterSet set = ...;                               // the model's named tensors
//   const ResolvedTarget t = resolve(target, set);        // once per target
//   Injection inj = inject(set, t, model, seed);          // corrupt
//   ... run the model ...
//   inj.undo(set);                                        // back to the exact original bits
//
// Sampling (docs/parameter_faults.md): SBF, MBF and MBBF draw positions uniformly over
// the target's (element, allowed bit) pairs; BER walks the flat bit array with geometric
// skips (cost proportional to the number of flips, never to the number of bits).
#include <cstdint>
#include <string>
#include <vector>

#include "arch/random.h"
#include "faultmodels/parameter_fault_model.h"
#include "faultmodels/parameter_set.h"
#include "faultmodels/parameter_target.h"

namespace accsim {

// One corrupted element. A word hit by several flips of one injection is one record.
struct ParameterFlip {
  std::uint32_t tensor = 0;   // index into the ParameterSet
  std::uint64_t element = 0;  // flat (row-major) index within the tensor
  std::uint32_t old_bits = 0, new_bits = 0;

  std::uint32_t mask() const { return old_bits ^ new_bits; }  // the bits that changed
  float old_value() const;
  float new_value() const;
  std::vector<int> bits() const;  // positions of the changed bits, ascending
};

struct Injection {
  std::vector<ParameterFlip> flips;  // ordered by (tensor index, element)
  std::uint64_t bit_flips() const;   // changed bits over all records
  // Writes every record's old bits back (in reverse order).
  void undo(ParameterSet& set) const;
  // Writes every record's new bits (again, e.g. after an undo).
  void apply(ParameterSet& set) const;
  // run()'s result with the injection applied to `set`, undone after (also when run() throws).
  template <class Run>
  auto while_applied(ParameterSet& set, Run&& run) const {
    struct Undo {
      const Injection& injection;
      ParameterSet& set;
      ~Undo() { injection.undo(set); }
    };
    apply(set);
    const Undo undo{*this, set};
    return run();
  }
};

// std::invalid_argument (with the reason) when `model` cannot be drawn on `target`: the
// model's own ranges, MBF count above the target's bits, MBBF with no burst position or
// count above 1/(2 burst_length) of the burst positions, value errors with restricted
// bits or a count above the target's elements.
void check_model_fits(const ParameterFaultModel& model, const ResolvedTarget& target);

// One draw of `model` on `target`, applied to `set`'s tensors in place. Deterministic in
// the generator's state. Throws as check_model_fits does.
Injection inject(ParameterSet& set, const ResolvedTarget& target, const ParameterFaultModel& model, Rng& rng);
// The same with a generator seeded from `seed` through a hash, so consecutive seeds (one
// per trial) give independent draws.
Injection inject(ParameterSet& set, const ResolvedTarget& target, const ParameterFaultModel& model,
                 std::uint64_t seed);

// "mlp.top.0.weight[1234] bits 30: 0.0123 -> 4.18e+36"
std::string describe(const ParameterFlip& flip, const ParameterSet& set);

}  // namespace accsim
