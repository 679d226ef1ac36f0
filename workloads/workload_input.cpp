#include "workloads/workload_input.h"

#include "arch/random.h"
#include "workloads/fashion_mnist.h"

namespace accsim {

WorkloadInput load_workload_input(const RunConfig& rc, std::uint64_t seed, const Network& net, std::ostream& notes) {
  if (fashion_mnist_available(rc.workload.dataset_dir)) {
    LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, rc.workload.image_index, 1);
    return {d.images, "Fashion-MNIST test image " + std::to_string(rc.workload.image_index) + " (label " +
                          std::to_string(d.labels[0]) + ")"};
  }
  notes << "accsim: note: Fashion-MNIST not found in " << rc.workload.dataset_dir
        << " (Debian package dataset-fashion-mnist); using a synthetic image\n";
  Tensor img({1, net.channels, net.height, net.width});
  Rng rng(seed ^ 0x696d616765ULL);
  for (auto& v : img.values()) v = rng.uniform01();
  return {img, "synthetic image (seed " + std::to_string(seed) + ")"};
}

}  // namespace accsim
