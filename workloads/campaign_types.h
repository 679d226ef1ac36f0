#pragma once
// The data of a hardware-fault inference campaign (`accsim campaign`): what it runs on,
// and what each experiment found.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/tensor.h"
#include "workloads/campaign_config.h"
#include "workloads/network.h"

namespace accsim {

// Everything a campaign's results depend on (and nothing else: not the thread count,
// not the checkpoint interval).
struct Campaign {
  ArrayConfig array;
  Network network;
  NetworkParameters params;
  Tensor images;            // [N, c, h, w]: the test images, in order
  std::vector<int> labels;  // [N]
  CampaignConfig config;
  std::uint64_t seed = 1;
};

// The PVF paper's classes: crash if any image's logits hold a NaN or Inf; otherwise SDC
// if an image the fault-free model classifies correctly is classified wrongly; otherwise
// masked.
enum class Outcome { masked = 0, sdc = 1, crash = 2 };
const std::vector<std::string>& outcome_names();  // {"masked", "sdc", "crash"}
std::string to_string(Outcome o);

struct ExperimentResult {
  HardwareFault fault;
  int layer = -1;  // a transient: the layer it strikes in a full batch's run (-1: none); stuck-at: -1
  Outcome outcome = Outcome::masked;
  long long correct_to_wrong = 0;  // images, summed over batches
  long long nonfinite_images = 0;  // images with a NaN/Inf logit
  std::vector<long long> trace;    // per layer: array output elements that differ, summed over images
};

Outcome classify_outcome(long long correct_to_wrong, long long nonfinite_images);

struct CampaignResults {
  std::string key;                  // the resume key (campaign_key)
  std::vector<std::string> layers;  // layer names, the trace's columns
  int batches = 0;
  long long batch_cycles = 0;    // one full batch's fault-free inference run: transient cycles lie in [0, this)
  long long golden_correct = 0;  // test images the fault-free model classifies correctly
  long long images = 0;
  std::vector<int> golden_predictions;  // per test image
  std::vector<ExperimentResult> experiments;  // by experiment index; meaningful where done
  std::vector<char> done;
  long long done_count = 0;
  long long resumed = 0;  // experiments taken from a checkpoint
  bool complete() const { return done_count == static_cast<long long>(experiments.size()); }
};

}  // namespace accsim
