#include "workloads/run/workload_input.h"

#include <algorithm>

#include "arch/input_error.h"
#include "arch/random.h"
#include "workloads/io/fashion_mnist.h"

namespace accsim {
namespace {

const std::vector<int> kFashionMnistImage = {1, 28, 28};

std::string shape_text(const std::vector<int>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string range_text(int first, int count) {
  return count == 1 ? " " + std::to_string(first)
                    : "s " + std::to_string(first) + ".." + std::to_string(first + count - 1);
}

}  // namespace

bool dataset_usable(const WorkloadConfig& workload, const std::string& config_file) {
  const DatasetStatus status = fashion_mnist_status(workload.dataset_dir);
  if (status.state == DatasetState::unusable)
    throw InputError(config_file + ": workload.dataset_dir: " + status.reason +
                     " (a dataset that is there must be usable; remove it or point workload.dataset_dir elsewhere)");
  return status.state == DatasetState::usable;
}

WorkloadInput load_test_images(const WorkloadConfig& workload, const std::string& config_file,
                               const std::vector<int>& image, const std::string& input_name, int first, int count,
                               std::uint64_t seed, std::ostream& notes) {
  WorkloadInput in;
  std::string gap;  // why Fashion-MNIST cannot serve, "" when it can
  if (image != kFashionMnistImage)
    gap = input_name + " is " + shape_text(image) + ", Fashion-MNIST's images are [1, 28, 28]";
  else if (!dataset_usable(workload, config_file))
    gap = "Fashion-MNIST not found in " + workload.dataset_dir + " (Debian package dataset-fashion-mnist)";
  if (gap.empty()) {
    LabelledImages d = load_fashion_mnist(workload.dataset_dir, DatasetSplit::test, first, count);
    in.images = std::move(d.images);
    in.labels = std::move(d.labels);
    in.source = "Fashion-MNIST test image" + range_text(first, count) +
                (count == 1 ? " (label " + std::to_string(in.labels[0]) + ")" : "");
    return in;
  }
  in.source = (count == 1 ? "" : std::to_string(count) + " ") + "synthetic image" + range_text(first, count) +
              " (seed " + std::to_string(seed) + ")";
  notes << "accsim: note: " << gap << "; using " << in.source << "\n";
  std::vector<int> shape = {count};
  shape.insert(shape.end(), image.begin(), image.end());
  in.images = Tensor(shape);
  const std::size_t per = in.images.size() / static_cast<std::size_t>(count);
  for (int i = 0; i < count; ++i) {
    Rng rng(splitmix64(seed ^ 0x696d616765ULL) ^ static_cast<std::uint64_t>(first + i));
    std::generate(in.images.data() + i * per, in.images.data() + (i + 1) * per, [&] { return rng.uniform01(); });
  }
  return in;
}

bool fashion_mnist_fits(const Network& net) { return net.channels == 1 && net.height == 28 && net.width == 28; }

WorkloadInput load_test_images(const WorkloadConfig& workload, const std::string& config_file, const Network& net,
                               int first, int count, std::uint64_t seed, std::ostream& notes) {
  return load_test_images(workload, config_file, {net.channels, net.height, net.width}, "workload.network.input", first,
                          count, seed, notes);
}

WorkloadInput load_workload_input(const WorkloadConfig& workload, const std::string& config_file, std::uint64_t seed,
                                  const Network& net, std::ostream& notes) {
  return load_test_images(workload, config_file, net, workload.image_index, 1, seed, notes);
}

void require_labelled_images(const WorkloadConfig& workload, const std::string& config_file,
                             const std::string& command) {
  const Network& net = workload.network;
  if (!fashion_mnist_fits(net))
    throw InputError(config_file + ": workload.network.input: " + command +
                     " needs labelled images and Fashion-MNIST's are [1, 28, 28], got " +
                     shape_text({net.channels, net.height, net.width}));
  if (!dataset_usable(workload, config_file))
    throw InputError(config_file + ": workload.dataset_dir: " + command + " needs labelled images: Fashion-MNIST not found in " +
                     workload.dataset_dir + " (install the Debian package dataset-fashion-mnist)");
}

}  // namespace accsim
