#include "workloads/campaign_setup.h"

#include <algorithm>
#include <stdexcept>

#include "arch/random.h"
#include "workloads/fashion_mnist.h"
#include "workloads/fault_evaluator.h"
#include "workloads/model_file.h"

namespace accsim {

CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  if (!rc.campaign) throw std::invalid_argument("load_campaign: the config has no campaign object");
  const CampaignConfig& cc = *rc.campaign;
  CampaignSource src;
  Campaign& c = src.campaign;
  c.array = rc.array;
  c.network = rc.workload.network;
  c.config = cc;
  c.seed = seed;
  if (!cc.model.empty()) {
    c.params = read_parameters(cc.model, c.network);
    src.model_source = "parameters from " + cc.model;
  } else {
    c.params = init_parameters(c.network, seed);
    src.model_source = "seeded Kaiming-uniform parameters (seed " + std::to_string(seed) + ")";
    notes << "accsim: note: campaign.model is not set; using untrained seeded Kaiming-uniform parameters (seed "
          << seed << ")\n";
  }
  const Network& net = c.network;
  const std::string last = std::to_string(cc.test_offset + cc.test_limit - 1);
  if (net.channels == 1 && net.height == 28 && net.width == 28 && fashion_mnist_available(rc.workload.dataset_dir)) {
    LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, cc.test_offset, cc.test_limit);
    c.images = std::move(d.images);
    c.labels = std::move(d.labels);
    src.input_source = "Fashion-MNIST test images " + std::to_string(cc.test_offset) + ".." + last;
    return src;
  }
  notes << "accsim: note: "
        << (net.channels == 1 && net.height == 28 && net.width == 28
                ? "Fashion-MNIST not found in " + rc.workload.dataset_dir + " (Debian package dataset-fashion-mnist)"
                : "the network's input is not 1x28x28")
        << "; using " << cc.test_limit
        << " synthetic images labelled with the fault-free model's predictions (an SDC is any changed prediction)\n";
  c.images = Tensor({cc.test_limit, net.channels, net.height, net.width});
  const std::size_t per = c.images.size() / static_cast<std::size_t>(cc.test_limit);
  for (int i = 0; i < cc.test_limit; ++i) {
    Rng rng(splitmix64(seed ^ 0x696d616765ULL) ^ static_cast<std::uint64_t>(cc.test_offset + i));
    std::generate(c.images.data() + i * per, c.images.data() + (i + 1) * per, [&] { return rng.uniform01(); });
  }
  const FaultEvaluator evaluator(c.array, c.network, c.params);
  for (int first = 0; first < cc.test_limit; first += cc.batch) {
    const int count = std::min(cc.batch, cc.test_limit - first);
    Tensor part({count, net.channels, net.height, net.width});
    std::copy(c.images.data() + first * per, c.images.data() + (first + count) * per, part.data());
    const GoldenBatch g = evaluator.golden(part, std::vector<int>(static_cast<std::size_t>(count), 0));
    c.labels.insert(c.labels.end(), g.predictions.begin(), g.predictions.end());
  }
  src.input_source = std::to_string(cc.test_limit) + " synthetic images " + std::to_string(cc.test_offset) + ".." +
                     last + " (seed " + std::to_string(seed) + ")";
  return src;
}

}  // namespace accsim
