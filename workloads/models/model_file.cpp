#include "workloads/models/model_file.h"

#include "arch/input_error.h"

namespace accsim {

namespace {

std::vector<hsize_t> dims_of(const Tensor& t) { return std::vector<hsize_t>(t.shape().begin(), t.shape().end()); }

// As Tensor::shape_string writes shapes.
std::string dims_text(const std::vector<hsize_t>& dims) {
  std::string s = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "," : "") + std::to_string(dims[i]);
  return s + "]";
}

}  // namespace

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
    // Shapes first: a damaged or hostile file may declare any extent.
    const std::vector<hsize_t> w = dataset_dims(file, base + "/weight"), b = dataset_dims(file, base + "/bias");
    if (w != dims_of(expected.weights[i]) || b != dims_of(expected.biases[i]))
      throw InputError(file + ": " + base + " has shapes " + dims_text(w) + " / " + dims_text(b) +
                       ", the network needs " + expected.weights[i].shape_string() + " / " +
                       expected.biases[i].shape_string());
    params.weights.push_back(read_tensor(file, base + "/weight"));
    params.biases.push_back(read_tensor(file, base + "/bias"));
  }
  return params;
}

}  // namespace accsim
