#pragma once
// What `accsim campaign` runs on, from a run config: the model (the campaign's parameter
// file, or seeded Kaiming-uniform parameters with a note) and the test images
// (Fashion-MNIST, or seeded synthetic images with a note when the dataset is missing).
#include <cstdint>
#include <ostream>
#include <string>

#include "workloads/campaign_types.h"
#include "workloads/run_config.h"

namespace accsim {

struct CampaignSource {
  Campaign campaign;
  std::string model_source;  // "parameters from FILE" / "seeded Kaiming-uniform parameters (seed N)"
  std::string input_source;  // "Fashion-MNIST test images 0..99" / "100 synthetic images (seed N)"
};

// `rc.campaign` must be set. Synthetic images carry the fault-free model's predictions
// as labels, so that every image counts as correct and an SDC is any changed prediction.
CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes);

}  // namespace accsim
