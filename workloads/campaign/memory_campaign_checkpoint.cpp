#include "workloads/campaign/memory_campaign_checkpoint.h"

#include <cstdint>
#include <iterator>

#include "arch/input_error.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/experiments/checkpoint_header.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/io/results_file.h"

namespace accsim {

namespace {

// An experiment's stored counters, in the checkpoint's dataset order.
constexpr const char* kCounters[] = {"reads_corrected",  "reads_detected",   "reads_silent",
                                     "corrupted_elements", "correct_to_wrong", "nonfinite_images"};

long long* counter(MemoryExperiment& e, std::size_t k) {
  long long* fields[] = {&e.reads_corrected,    &e.reads_detected,   &e.reads_silent,
                         &e.corrupted_elements, &e.correct_to_wrong, &e.nonfinite_images};
  return fields[k];
}

}  // namespace

std::string memory_campaign_key(const Campaign& c) {
  KeyHasher h;
  h.str("accsim memory campaign key 1");
  h.str(campaign_key(c));
  const CampaignConfig& cc = c.config;
  h.u64(cc.memory_sites.size());
  for (MemoryStructure s : cc.memory_sites) h.i64(static_cast<int>(s));
  for (EccCode code : cc.memory.codes) h.i64(static_cast<int>(code));
  h.f64(cc.memory.multi_bit_fraction);
  h.u64(cc.memory.multi_bit_sizes.size());
  for (int size : cc.memory.multi_bit_sizes) h.i64(size);
  return h.hex();
}

void write_memory_campaign_checkpoint(const std::string& path, const MemoryCampaignResults& r) {
  std::vector<std::int64_t> index, outcome;
  std::vector<std::vector<std::int64_t>> counters(std::size(kCounters));
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    if (!r.done[i]) continue;
    MemoryExperiment e = r.experiments[i];
    index.push_back(static_cast<std::int64_t>(i));
    outcome.push_back(static_cast<std::int64_t>(e.outcome));
    for (std::size_t k = 0; k < counters.size(); ++k) counters[k].push_back(*counter(e, k));
  }
  ResultsFile h5(path);
  write_checkpoint_header(h5, kMemoryCampaignCheckpointFormat, kMemoryCampaignCheckpointVersion, r.key);
  h5.set_attribute("/", "experiments", r.experiments.size());
  h5.write_int64s("/index", index);
  h5.write_int64s("/outcome", outcome);
  for (std::size_t k = 0; k < counters.size(); ++k) h5.write_int64s(std::string("/") + kCounters[k], counters[k]);
  h5.commit();
}

long long read_memory_campaign_checkpoint(const std::string& path, MemoryCampaignResults& r) {
  const std::string what = "memory campaign checkpoint '" + path + "'";
  check_checkpoint_header(path, kMemoryCampaignCheckpointFormat, kMemoryCampaignCheckpointVersion, r.key,
                          "memory campaign",
                          "the array, network, campaign or memory keys, seed, model parameters or test images");
  const std::vector<std::int64_t> index = read_int64s(path, "/index");
  const std::vector<std::int64_t> outcome = read_int64s(path, "/outcome");
  std::vector<std::vector<std::int64_t>> counters;
  bool consistent = outcome.size() == index.size();
  for (const char* name : kCounters) {
    counters.push_back(read_int64s(path, std::string("/") + name));
    consistent = consistent && counters.back().size() == index.size();
  }
  if (!consistent) throw InputError(what + " is inconsistent (datasets of different lengths); delete it to start afresh");
  long long loaded = 0;
  for (std::size_t j = 0; j < index.size(); ++j) {
    const std::int64_t i = index[j];
    bool in_range = i >= 0 && i < static_cast<std::int64_t>(r.experiments.size()) && outcome[j] >= 0 &&
                    outcome[j] < static_cast<std::int64_t>(memory_outcome_names().size());
    for (const auto& column : counters) in_range = in_range && column[j] >= 0;
    if (!in_range)
      throw InputError(what + " holds an experiment index, outcome or count out of range; delete it to start afresh");
    MemoryExperiment& e = r.experiments[static_cast<std::size_t>(i)];
    e.outcome = static_cast<MemoryOutcome>(outcome[j]);
    for (std::size_t k = 0; k < counters.size(); ++k) *counter(e, k) = counters[k][j];
    mark_restored(r.done, static_cast<std::size_t>(i), loaded, &r.done_count);
  }
  return loaded;
}

}  // namespace accsim
