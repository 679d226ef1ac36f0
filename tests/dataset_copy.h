#pragma once
// A private copy of the installed Fashion-MNIST (links to Debian's files) that a test may
// change: to check that what depends on the dataset notices a changed dataset.
#include <zlib.h>

#include <filesystem>
#include <string>

#include "workloads/io/fashion_mnist.h"

namespace accsim::testing {

// Links the four files of kFashionMnistDir into `dir`.
inline void link_fashion_mnist(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  for (const std::string& f : fashion_mnist_files(kFashionMnistDir))
    std::filesystem::create_symlink(f, dir / std::filesystem::path(f).filename());
}

// Replaces the linked test labels in `dir` by a file whose first label differs: still a
// valid dataset, with other results.
inline void relabel_first_test_image(const std::filesystem::path& dir) {
  const std::string path = fashion_mnist_files(dir.string())[1];  // the test labels
  std::string bytes;
  gzFile in = gzopen(path.c_str(), "rb");
  char buf[1 << 16];
  for (int n; in && (n = gzread(in, buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<std::size_t>(n));
  if (in) gzclose(in);
  bytes[8] = static_cast<char>((bytes[8] + 1) % 10);  // after the magic and the count
  std::filesystem::remove(path);
  gzFile out = gzopen(path.c_str(), "wb");
  gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(out);
}

}  // namespace accsim::testing
