#pragma once
// The images every image-fed command (run, errmodel, sweep, campaign, pvf; networks and
// ONNX models) gives the model, decided in one place (docs/config.md, "Input images"):
// - Fashion-MNIST test images when one image of the model's input is 1x28x28 and the
//   dataset is installed (workload.dataset_dir; installed but unusable is an InputError);
// - otherwise seeded synthetic images (uniform in [0, 1)), with one note on `notes`
//   saying why. Synthetic image i depends only on the seed and i, so a campaign's image
//   i is the run's image i.
// `accsim train` needs labelled images: require_labelled_images refuses what the
// dataset cannot serve with an InputError naming the config key.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "arch/tensor.h"
#include "workloads/models/network.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct WorkloadInput {
  Tensor images;            // [n, c, h, w] (a graph model: its input's shape)
  std::string source;       // e.g. "Fashion-MNIST test image 0 (label 9)"
  std::vector<int> labels;  // the dataset's labels, per image; empty for synthetic images
  bool synthetic() const { return labels.empty(); }
};

// `config_file` names the config in errors (its paths are already resolved against its folder).
// True when workload.dataset_dir holds Fashion-MNIST's test split, false when it is not
// installed there; InputError naming workload.dataset_dir when a file of it is there but
// unusable (a directory, a FIFO, unreadable, its partner missing): never a silent
// fallback to synthetic images.
bool dataset_usable(const WorkloadConfig& workload, const std::string& config_file);

// True when Fashion-MNIST's 1x28x28 images fit the network's input.
bool fashion_mnist_fits(const Network& net);

// Test images [first, first + count) for a model whose input holds images of shape
// `image` (without the batch dimension); `input_name` names that shape in the note.
WorkloadInput load_test_images(const WorkloadConfig& workload, const std::string& config_file,
                               const std::vector<int>& image, const std::string& input_name, int first, int count,
                               std::uint64_t seed, std::ostream& notes);

// Test images [first, first + count) of the workload for `net`.
WorkloadInput load_test_images(const WorkloadConfig& workload, const std::string& config_file, const Network& net,
                               int first, int count, std::uint64_t seed, std::ostream& notes);

// The one image of a run: test image workload.image_index.
WorkloadInput load_workload_input(const WorkloadConfig& workload, const std::string& config_file, std::uint64_t seed,
                                  const Network& net, std::ostream& notes);

// Throws InputError when Fashion-MNIST cannot serve labelled images to the config's
// network: the dataset is missing (workload.dataset_dir) or the input is not 1x28x28
// (workload.network.input). `command` names what needs them, e.g. "accsim train".
void require_labelled_images(const WorkloadConfig& workload, const std::string& config_file,
                             const std::string& command);

}  // namespace accsim
