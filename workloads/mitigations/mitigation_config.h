#pragma once
// The "mitigations" object of a config (docs/config.md): what protects a faulty run.
// The same object describes a campaign's mitigation variants (`accsim campaign`,
// `accsim pvf`), each measured on the same faults as the unprotected run.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "kernels/activations.h"

namespace accsim {

// Job-level error detection (faultmodels/checked_engine.h).
enum class MitigationCheck { none, abft, duplicate };

struct MitigationConfig {
  ActivationClip clip;                // applied at every ReLU
  MitigationCheck check = MitigationCheck::none;
  bool prune_faulty_weights = false;  // fault-aware pruning (graph_pruning.h; training: fault_aware_pruning.h)
  // Selective bit protection (faultmodels/bit_protection.h): these bit positions of the
  // protected words (parameters, PE registers and datapath words) cannot be corrupted.
  std::vector<int> protect_bits;

  bool any() const {
    return clip.mode != ClipMode::none || check != MitigationCheck::none || prune_faulty_weights ||
           !protect_bits.empty();
  }
  // "clip saturate 6 + abft + protect bits 31,30" / "none"
  std::string describe() const;
};

// InputError naming the file and key on bad input (protect_bits: positions in [0, 31]).
MitigationConfig parse_mitigations(ConfigReader reader);
// The same keys, read from an object that may hold others (no check for unknown keys).
MitigationConfig read_mitigations(ConfigReader& reader);

// A mitigation measured in the same campaign as the unprotected run.
struct MitigationVariant {
  std::string name;
  MitigationConfig mitigations;
};

// `key`: an array of objects, each a "name" (unique, not "unprotected") and the keys of a
// mitigations object, switching at least one on. Absent: none.
std::vector<MitigationVariant> parse_mitigation_variants(ConfigReader& reader, const std::string& key);

}  // namespace accsim
