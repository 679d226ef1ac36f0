#include "workloads/graph_image_pool.h"

#include <algorithm>

#include "arch/pe_faults.h"
#include "arch/random.h"
#include "workloads/engines.h"
#include "workloads/experiment_runner.h"
#include "workloads/fashion_mnist.h"
#include "workloads/models/graph_runner.h"
#include "workloads/shortcut_propagation.h"

namespace accsim {

GraphImagePool load_graph_image_pool(const Graph& graph, const ArrayConfig& array, const std::string& dataset_dir,
                                     int offset, int limit, std::uint64_t seed, int threads, std::ostream& notes) {
  std::vector<int> shape = graph.inputs.at(0).shape;
  const bool mnist_shaped = shape == std::vector<int>{shape.at(0), 1, 28, 28};
  const std::string range = std::to_string(offset) + ".." + std::to_string(offset + limit - 1);
  GraphImagePool pool;
  if (mnist_shaped && fashion_mnist_available(dataset_dir)) {
    LabelledImages d = load_fashion_mnist(dataset_dir, DatasetSplit::test, offset, limit);
    return {std::move(d.images), std::move(d.labels), "Fashion-MNIST test images " + range};
  }
  notes << "accsim: note: "
        << (mnist_shaped ? "Fashion-MNIST not found in " + dataset_dir + " (Debian package dataset-fashion-mnist)"
                         : "the model's input " + Tensor(shape).shape_string() + " is not [N,1,28,28]")
        << "; using " << limit
        << " synthetic images labelled with the fault-free model's predictions (an SDC is any changed prediction)\n";
  shape[0] = 1;
  std::vector<int> pool_shape = shape;
  pool_shape[0] = limit;
  pool.images = Tensor(pool_shape);
  pool.labels.resize(static_cast<std::size_t>(limit));
  const std::size_t per = pool.images.size() / static_cast<std::size_t>(limit);
  parallel_for(threads, static_cast<std::size_t>(limit), [&](std::size_t i) {
    Rng rng(splitmix64(seed ^ 0x696d616765ULL) ^ static_cast<std::uint64_t>(offset + static_cast<int>(i)));
    Tensor x(shape);
    std::generate(x.data(), x.data() + per, [&] { return rng.uniform01(); });
    std::copy_n(x.data(), per, pool.images.data() + i * per);
    const PeFaults healthy;
    const Tensor logits = run_graph(graph, x, *make_engine("fast", array, healthy), false).outputs.at(0);
    pool.labels[i] = argmax_row(logits.data(), static_cast<int>(logits.size()));
  });
  pool.source = std::to_string(limit) + " synthetic images " + range + " (seed " + std::to_string(seed) + ")";
  return pool;
}

}  // namespace accsim
