#pragma once
// A feed-forward network as a list of array layers (conv or fully-connected), each
// followed on the host by bias, optional ReLU and optional max pooling.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "arch/conv_job.h"
#include "arch/tensor.h"
#include "kernels/activations.h"

namespace accsim {

struct LayerSpec {
  std::string name;
  JobKind kind = JobKind::forward_conv;
  int in_channels = 1, out_channels = 1;
  int kernel = 1, stride = 1, pad = 0;  // conv only
  bool relu = true;
  int pool = 1;  // max-pool window after the activation (1: none)
};

struct Network {
  std::string name;
  ActivationClip clip;  // applied at every ReLU (a mitigation; docs/config.md "mitigations")
  int channels = 1, height = 28, width = 28;  // one input image
  std::vector<LayerSpec> layers;
};

// LeNet-5 as in the PVF paper's Table I: conv1 [6,1,5,5], conv2 [16,6,5,5],
// fc1 [120,256], fc2 [84,120], fc3 [10,84], on 28x28 inputs.
Network lenet5();
// A small AlexNet-style CNN for 28x28 inputs: five 3x3 convs (16, 32, 48, 48, 32
// channels, padding 1, ReLU; max-pool 2 after conv1, conv2, conv5) and three fully-
// connected layers 288 -> 256 -> 128 -> 10.
Network alexnet28();
// A multilayer perceptron 784 -> 256 -> 128 -> 10 on flattened 28x28 images.
Network mlp();
Network network_by_name(const std::string& name);  // throws std::invalid_argument
const std::vector<std::string>& network_names();
// `key` is a preset name or an object {"name", "input": [c, h, w], "layers": [{"name",
// "type": "conv"|"fc", "out_channels"|"out_features", "kernel", "stride", "pad",
// "relu", "pool"}]}; input channels follow from the previous layer. InputError with
// the JSON path on bad input (docs/config.md).
Network parse_network(ConfigReader& parent, const std::string& key);

struct NetworkParameters {
  std::vector<Tensor> weights;  // per layer: [k, c, r, s] (fc: [k, c, 1, 1])
  std::vector<Tensor> biases;   // per layer: [k]
};

// Seeded Kaiming-uniform weights (bound sqrt(6 / fan_in)) and zero biases.
NetworkParameters init_parameters(const Network& net, std::uint64_t seed);

// The job a layer runs for a batch of `batch` inputs of shape [c, h, w].
ConvJob layer_job(const LayerSpec& layer, int batch, int h, int w, std::uint64_t layer_index);
// Every layer's forward job for a batch, following the shapes through pooling.
std::vector<ConvJob> layer_jobs(const Network& net, int batch);

}  // namespace accsim
