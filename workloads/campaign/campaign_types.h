#pragma once
// The data of a hardware-fault inference campaign (`accsim campaign`): what it runs on,
// and what each experiment found.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/tensor.h"
#include "workloads/campaign/campaign_config.h"
#include "workloads/models/graph.h"

namespace accsim {

// Everything a campaign's results depend on (and nothing else: not the thread count,
// not the checkpoint interval).
struct Campaign {
  ArrayConfig array;
  // The model (an ONNX model or a network, as a graph) for each batch size the campaign
  // runs (the full batch and a smaller last one).
  std::map<int, std::shared_ptr<const Graph>> graphs;
  Tensor images;            // [N, ...]: the test images, in order
  std::vector<int> labels;  // [N]
  CampaignConfig config;
  std::uint64_t seed = 1;
  std::string model_origin = "the model";  // names the model in errors, e.g. "x.json: campaign.model"

  const std::string& model_name() const { return graphs.begin()->second->name; }
};

// The PVF paper's classes: crash if any image's logits hold a NaN or Inf; otherwise SDC
// if an image the fault-free model classifies correctly is classified wrongly; otherwise
// masked. A mitigation variant with a check adds DUE (detected unrecoverable error): a
// check flagged a job and re-execution did not correct it (the unprotected run never
// gives DUE).
enum class Outcome { masked = 0, sdc = 1, crash = 2, due = 3 };
const std::vector<std::string>& outcome_names();  // {"masked", "sdc", "crash", "due"}
std::string to_string(Outcome o);

// One experiment's fault under one mitigation variant (workloads/mitigations/graph_mitigated_evaluation.h).
struct VariantResult {
  Outcome outcome = Outcome::masked;
  bool detected = false;   // a check (abft / duplicate) flagged at least one job
  bool corrected = false;  // detected, and re-execution / majority vote resolved every flagged job
  long long correct_to_wrong = 0;  // images, summed over batches (0 when the fault never acts)
  long long nonfinite_images = 0;
  long long cycles = 0;  // check variants: the checked runs' cycles summed over batches (re-executions included); else 0
};

struct ExperimentResult {
  HardwareFault fault;
  // A transient: the trace column (layer or array node) it strikes in a full batch's run
  // (-1: none); a stuck-at: -1.
  int node = -1;
  Outcome outcome = Outcome::masked;
  long long correct_to_wrong = 0;  // images, summed over batches
  long long nonfinite_images = 0;  // images with a NaN/Inf logit
  std::vector<long long> trace;    // per trace column: array output elements that differ, summed over images
  // The witness image (index in the campaign's images): the first with a NaN/Inf logit,
  // else the one with the smallest logit margin (the first on ties), with its fault-free
  // and faulty predictions and its margin (BatchEffect::margins: the faulty logit of the
  // fault-free prediction minus the largest other; NaN when a logit is NaN/Inf).
  long long image = -1;
  int golden_top1 = -1, faulty_top1 = -1;
  float margin = 0.0f;
  int nonfinite_node = -1;  // index in CampaignResults::graph_nodes: where NaN/Inf first appeared (-1: none)
  std::vector<VariantResult> variants;  // one per campaign.mitigations entry, in order
};

Outcome classify_outcome(long long correct_to_wrong, long long nonfinite_images);

// What a mitigation variant costs and sees without a fault.
struct VariantBaseline {
  std::string name, description;  // description: MitigationConfig::describe()
  long long golden_correct = 0;   // test images its fault-free run classifies correctly
  long long cycles = 0;           // its fault-free runs' cycles, summed over batches
  long long check_jobs = 0, check_detections = 0;  // checks of its fault-free runs (detections: false positives)
  double check_overhead = 0.0;    // CheckStats::overhead() of its fault-free runs (0 without a check)
  double storage_overhead = 0.0;  // protected bits / word bits
};

struct CampaignResults {
  std::string key;                 // the resume key (campaign_key)
  // The trace's columns: the chain network's layers, or a graph model's nodes that run
  // on the array (in the files: /layer_names, as every output names its layers).
  std::vector<std::string> nodes;
  std::vector<std::string> graph_nodes;  // every node of the model, in graph order (ExperimentResult::nonfinite_node)
  int batches = 0;
  long long batch_cycles = 0;    // one full batch's fault-free inference run: transient cycles lie in [0, this)
  long long golden_correct = 0;  // test images the fault-free model classifies correctly
  long long images = 0;
  std::vector<int> golden_predictions;  // per test image
  std::vector<long long> golden_nonfinite;  // test images (indices in the campaign's images) whose fault-free logits hold NaN/Inf
  long long cycles = 0;                 // the fault-free runs' cycles, summed over batches
  std::vector<VariantBaseline> variants;  // one per campaign.mitigations entry
  std::vector<ExperimentResult> experiments;  // by experiment index; meaningful where done
  std::vector<char> done;
  long long done_count = 0;
  long long resumed = 0;  // experiments taken from a checkpoint
  bool complete() const { return done_count == static_cast<long long>(experiments.size()); }
};

}  // namespace accsim
