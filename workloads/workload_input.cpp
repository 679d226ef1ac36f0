#include "workloads/workload_input.h"

#include <algorithm>

#include "arch/random.h"
#include "workloads/fashion_mnist.h"

namespace accsim {

WorkloadInput load_workload_input(const RunConfig& rc, std::uint64_t seed, const Network& net, std::ostream& notes) {
  if (fashion_mnist_available(rc.workload.dataset_dir)) {
    LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, rc.workload.image_index, 1);
    return {d.images, "Fashion-MNIST test image " + std::to_string(rc.workload.image_index) + " (label " +
                          std::to_string(d.labels[0]) + ")",
          d.labels};
  }
  notes << "accsim: note: Fashion-MNIST not found in " << rc.workload.dataset_dir
        << " (Debian package dataset-fashion-mnist); using a synthetic image\n";
  Tensor img({1, net.channels, net.height, net.width});
  Rng rng(seed ^ 0x696d616765ULL);
  for (auto& v : img.values()) v = rng.uniform01();
  return {img, "synthetic image (seed " + std::to_string(seed) + ")", {}};
}

WorkloadInput load_graph_input(const RunConfig& rc, std::uint64_t seed, const Graph& graph, std::ostream& notes) {
  const std::vector<int>& shape = graph.inputs.at(0).shape;
  const int n = shape.at(0);
  const bool mnist_shaped = shape == std::vector<int>{n, 1, 28, 28};
  if (mnist_shaped && fashion_mnist_available(rc.workload.dataset_dir)) {
    const int first = std::min(rc.workload.image_index, 10000 - n);
    LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, first, n);
    return {d.images, "Fashion-MNIST test images " + std::to_string(first) + ".." + std::to_string(first + n - 1), d.labels};
  }
  notes << "accsim: note: " << (mnist_shaped ? "Fashion-MNIST not found in " + rc.workload.dataset_dir
                                             : "the model's input " + Tensor(shape).shape_string() + " is not [N,1,28,28]")
        << "; using synthetic inputs\n";
  Tensor x(shape);
  Rng rng(seed ^ 0x696d616765ULL);
  for (auto& v : x.values()) v = rng.uniform01();
  return {x, "synthetic input (seed " + std::to_string(seed) + ")", {}};
}

}  // namespace accsim
