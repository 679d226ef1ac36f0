#include "workloads/campaign_setup.h"

#include <algorithm>
#include <stdexcept>

#include "arch/random.h"
#include "workloads/fashion_mnist.h"
#include "workloads/fault_evaluator.h"
#include "workloads/graph_campaign.h"
#include "workloads/model_file.h"

namespace accsim {

CampaignInputs load_campaign_inputs(const RunConfig& rc, const std::string& model_key, const std::string& model,
                                    int test_offset, int test_limit, int batch, std::uint64_t seed, std::ostream& notes) {
  CampaignInputs in;
  const Network& net = rc.workload.network;
  if (!model.empty()) {
    in.params = read_parameters(model, net);
    in.model_source = "parameters from " + model;
  } else {
    in.params = init_parameters(net, seed);
    in.model_source = "seeded Kaiming-uniform parameters (seed " + std::to_string(seed) + ")";
    notes << "accsim: note: " << model_key
          << " is not set; using untrained seeded Kaiming-uniform parameters (seed "
          << seed << ")\n";
  }
  const std::string last = std::to_string(test_offset + test_limit - 1);
  if (net.channels == 1 && net.height == 28 && net.width == 28 && fashion_mnist_available(rc.workload.dataset_dir)) {
    LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, test_offset, test_limit);
    in.images = std::move(d.images);
    in.labels = std::move(d.labels);
    in.input_source = "Fashion-MNIST test images " + std::to_string(test_offset) + ".." + last;
    return in;
  }
  notes << "accsim: note: "
        << (net.channels == 1 && net.height == 28 && net.width == 28
                ? "Fashion-MNIST not found in " + rc.workload.dataset_dir + " (Debian package dataset-fashion-mnist)"
                : "the network's input is not 1x28x28")
        << "; using " << test_limit
        << " synthetic images labelled with the fault-free model's predictions (an SDC is any changed prediction)\n";
  in.images = Tensor({test_limit, net.channels, net.height, net.width});
  const std::size_t per = in.images.size() / static_cast<std::size_t>(test_limit);
  for (int i = 0; i < test_limit; ++i) {
    Rng rng(splitmix64(seed ^ 0x696d616765ULL) ^ static_cast<std::uint64_t>(test_offset + i));
    std::generate(in.images.data() + i * per, in.images.data() + (i + 1) * per, [&] { return rng.uniform01(); });
  }
  const FaultEvaluator evaluator(rc.array, net, in.params);
  for (int first = 0; first < test_limit; first += batch) {
    const int count = std::min(batch, test_limit - first);
    Tensor part({count, net.channels, net.height, net.width});
    std::copy(in.images.data() + first * per, in.images.data() + (first + count) * per, part.data());
    const GoldenBatch g = evaluator.golden(part, std::vector<int>(static_cast<std::size_t>(count), 0));
    in.labels.insert(in.labels.end(), g.predictions.begin(), g.predictions.end());
  }
  in.input_source = std::to_string(test_limit) + " synthetic images " + std::to_string(test_offset) + ".." + last +
                    " (seed " + std::to_string(seed) + ")";
  return in;
}

CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  if (!rc.campaign) throw std::invalid_argument("load_campaign: the config has no campaign object");
  if (rc.workload.graph) return load_graph_campaign(rc, seed, notes);
  const CampaignConfig& cc = *rc.campaign;
  CampaignInputs in = load_campaign_inputs(rc, "campaign.model", cc.model, cc.test_offset, cc.test_limit, cc.batch, seed, notes);
  CampaignSource src;
  Campaign& c = src.campaign;
  c.array = rc.array;
  c.network = rc.workload.network;
  c.config = cc;
  c.seed = seed;
  c.params = std::move(in.params);
  c.images = std::move(in.images);
  c.labels = std::move(in.labels);
  src.model_source = std::move(in.model_source);
  src.input_source = std::move(in.input_source);
  return src;
}

}  // namespace accsim
