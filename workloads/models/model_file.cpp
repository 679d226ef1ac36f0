#include "workloads/models/model_file.h"

#include "arch/input_error.h"

namespace accsim {

void write_parameters(ResultsFile& h5, const Network& net, const NetworkParameters& params) {
  h5.set_attribute("/parameters", "network", net.name);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    h5.write_tensor("/parameters/" + net.layers[i].name + "/weight", params.weights[i]);
    h5.write_tensor("/parameters/" + net.layers[i].name + "/bias", params.biases[i]);
  }
}

NetworkParameters read_parameters(const std::string& file, const Network& net) {
  const std::string stored = read_string_attribute(file, "/parameters", "network");
  if (stored != net.name)
    throw InputError(file + ": parameters are for network \"" + stored + "\", the config's network is \"" + net.name +
                     "\"");
  const NetworkParameters expected = init_parameters(net, 0);
  NetworkParameters params;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const std::string base = "/parameters/" + net.layers[i].name;
    Tensor w = read_tensor(file, base + "/weight"), b = read_tensor(file, base + "/bias");
    if (w.shape() != expected.weights[i].shape() || b.shape() != expected.biases[i].shape())
      throw InputError(file + ": " + base + " has shapes " + w.shape_string() + " / " + b.shape_string() +
                       ", the network needs " + expected.weights[i].shape_string() + " / " +
                       expected.biases[i].shape_string());
    params.weights.push_back(std::move(w));
    params.biases.push_back(std::move(b));
  }
  return params;
}

}  // namespace accsim
