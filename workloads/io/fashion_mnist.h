#pragma once
// Fashion-MNIST loader: reads the gzip-compressed IDX files of the dataset into tensors.
// Every problem with the files (missing, wrong magic, wrong dimensions, truncated, bad
// labels, offset/limit out of range) is reported with a one-line accsim::InputError.
#include <string>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

enum class DatasetSplit { train, test };

struct LabelledImages {
  Tensor images;            // [N, 1, 28, 28], pixel/255.0f in [0, 1]
  std::vector<int> labels;  // N values in 0..9
};

// Default location of Debian's dataset-fashion-mnist package.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads <dir>/train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz (train) or
// t10k-images-idx3-ubyte.gz + t10k-labels-idx1-ubyte.gz (test). `offset`, `limit`: take items
// [offset, offset+limit) (limit 0 = all remaining); out of range -> InputError.
LabelledImages load_fashion_mnist(const std::string& dir, DatasetSplit split, int offset = 0,
                                  int limit = 0);

// Low-level readers for one IDX file (magic 0x00000803 images with dims N,rows,cols;
// 0x00000801 labels with N), big-endian header. gzip or uncompressed content is accepted.
Tensor read_idx_images(const std::string& path, int offset = 0, int limit = 0);  // [n,1,rows,cols]
std::vector<int> read_idx_labels(const std::string& path, int offset = 0, int limit = 0);

// Whether `dir` holds the test split: usable (both files regular and readable), absent
// (`dir` does not exist or holds neither file: a dataset that is not installed), or
// unusable (a file is there but is a directory, a FIFO, unreadable, or its partner is
// missing; `dir` is not a directory). `reason` says why when not usable.
enum class DatasetState { usable, absent, unusable };
struct DatasetStatus {
  DatasetState state;
  std::string reason;
};
DatasetStatus fashion_mnist_status(const std::string& dir);

// The dataset's four files in `dir` (test images and labels, then training ones).
std::vector<std::string> fashion_mnist_files(const std::string& dir);

// True when the test split is usable.
bool fashion_mnist_available(const std::string& dir);

}  // namespace accsim
