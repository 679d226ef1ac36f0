#pragma once
// A memory-fault campaign (campaign sites `cbuf` and `dram`, docs/memory_faults.md): N
// experiments, each one bit fault in a CBUF or DRAM word (faultmodels/memory_fault.h)
// under the structure's code (faultmodels/ecc_code.h), evaluated on every batch of the
// test images. Per batch and per array job the word is read: the elements it holds
// (faultmodels/memory_layout.h) are packed into the data word, the code's outcome decides:
// corrected -> nothing changes, detected -> DUE, silent -> the corrupted elements replace
// the job's operand (its weight initializer, or its input as that job reads it) and the
// graph reruns incrementally from there (workloads/models/incremental_run.h).
// Experiment outcome: DUE if any read detected the error; otherwise SDC / crash / masked
// as the PE campaign classifies the logits when some read was silent; otherwise
// corrected when some read corrected it; otherwise masked (the word held nothing live).
// Each experiment depends only on its index: results are the same for any thread count,
// any number of MPI ranks (workloads/experiments/distributed_runner.h), and a run killed or
// stopped resumes from its checkpoint (memory_campaign_checkpoint.h) to the same results.
#include <atomic>
#include <string>
#include <vector>

#include "faultmodels/memory_fault.h"
#include "workloads/campaign/campaign_types.h"
#include "workloads/experiments/progress_meter.h"

namespace accsim {

enum class MemoryOutcome { masked = 0, corrected = 1, due = 2, sdc = 3, crash = 4 };
const std::vector<std::string>& memory_outcome_names();  // {"masked", "corrected", "due", "sdc", "crash"}

struct MemoryExperiment {
  MemoryFault fault;
  int job = -1;         // transient: the job (array node, in run order) whose data it strikes in a full batch; -1: none
  bool live = false;    // the word held data of some job when (stuck-at: ever) the fault acted, in a full batch
  MemoryOutcome outcome = MemoryOutcome::masked;
  long long reads_corrected = 0, reads_detected = 0, reads_silent = 0;  // faulty word reads, summed over batches and jobs
  long long corrupted_elements = 0;  // tensor elements changed by silent reads, summed
  long long correct_to_wrong = 0, nonfinite_images = 0;
};

// Per structure: its size and how much of it holds live data over one full batch's run.
struct MemoryOccupancy {
  long long words = 0;      // code words
  int word_bits = 0;        // bits per code word (data + check)
  double live_word_cycles = 0;  // sum over words of the cycles they hold data that is still to be read
  long long run_cycles = 0;
  double mbit() const { return static_cast<double>(words) * word_bits / 1048576.0; }
  double occupancy() const {
    return words && run_cycles ? live_word_cycles / (static_cast<double>(words) * static_cast<double>(run_cycles)) : 0.0;
  }
};

struct MemoryCampaignResults {
  std::vector<std::string> nodes;   // array nodes, in run order (the jobs of a full batch)
  std::vector<std::string> unmodelled;  // array nodes whose memory contents are not modelled (hold nothing)
  int batches = 0;
  long long batch_cycles = 0, images = 0, golden_correct = 0;
  MemoryOccupancy occupancy[2];     // cbuf, dram
  std::vector<MemoryExperiment> experiments;
  std::string key;          // resume key (memory_campaign_checkpoint.h)
  std::vector<char> done;   // per experiment
  long long resumed = 0, done_count = 0;
  bool complete() const { return done_count == static_cast<long long>(experiments.size()); }
};

struct MemoryCampaignRunOptions {
  std::string checkpoint;                   // "" = none (nothing is resumed or saved)
  long long max_experiments = -1;           // stop after this many new experiments (tests: as if killed)
  const std::atomic<bool>* stop = nullptr;  // set by a signal handler: checkpoint and return
  ProgressMeter* progress = nullptr;
};

// `campaign.config.memory_sites` must be non-empty and the array's memory side enabled.
// Throws InputError (naming `config_file` and the key) for an fp32-less datatype or a
// disabled array.memory, and for a checkpoint of another campaign. Stopped early
// (max_experiments, stop), the results are incomplete and the checkpoint holds every
// finished experiment; complete, the checkpoint is left for the caller to remove once the
// outputs are written.
MemoryCampaignResults run_memory_campaign(const Campaign& campaign, const std::string& config_file,
                                          const MemoryCampaignRunOptions& options = {});

}  // namespace accsim
