// One input rule for every image-fed command (workloads/run/workload_input.h).
#include "workloads/run/workload_input.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <sstream>

#include "arch/input_error.h"
#include "workloads/io/fashion_mnist.h"

namespace accsim {
namespace {

const std::string kFile = "x.json";  // the config named in errors

WorkloadConfig workload_with(const Network& net, const std::string& dataset_dir) {
  WorkloadConfig w;
  w.network = net;
  w.dataset_dir = dataset_dir;
  return w;
}

Network rgb32() {
  Network net = lenet5();
  net.name = "rgb32";
  net.channels = 3;
  net.height = net.width = 32;
  return net;
}

// A run's image i is the campaign pool's image i, whichever source serves them.
TEST(WorkloadInput, TheRunsImageIsTheSameAsTheCampaignsImageOfThatIndex) {
  for (const Network& net : {lenet5(), rgb32()}) {
    WorkloadConfig w = workload_with(net, kFashionMnistDir);
    w.image_index = 3;
    std::ostringstream notes;
    const WorkloadInput one = load_workload_input(w, kFile, 5, net, notes);
    const WorkloadInput pool = load_test_images(w, kFile, net, 1, 4, 5, notes);
    ASSERT_EQ(one.images.shape(), (std::vector<int>{1, net.channels, net.height, net.width}));
    const std::size_t per = one.images.size();
    for (std::size_t e = 0; e < per; ++e) ASSERT_EQ(one.images[e], pool.images[2 * per + e]) << net.name << " " << e;
    EXPECT_EQ(one.synthetic(), pool.synthetic());
  }
}

TEST(WorkloadInput, AMissingDatasetGivesSeededSyntheticImagesWithOneNote) {
  const WorkloadConfig w = workload_with(lenet5(), "/nonexistent/fashion-mnist");
  std::ostringstream notes;
  const WorkloadInput a = load_test_images(w, kFile, lenet5(), 0, 3, 9, notes);
  EXPECT_TRUE(a.synthetic());
  EXPECT_EQ(a.source, "3 synthetic images 0..2 (seed 9)");
  EXPECT_EQ(notes.str(),
            "accsim: note: Fashion-MNIST not found in /nonexistent/fashion-mnist (Debian package "
            "dataset-fashion-mnist); using 3 synthetic images 0..2 (seed 9)\n");
  std::ostringstream again;
  const WorkloadInput b = load_test_images(w, kFile, lenet5(), 0, 3, 10, again);
  bool differs = false;
  for (std::size_t e = 0; e < a.images.size(); ++e) differs = differs || a.images[e] != b.images[e];
  EXPECT_TRUE(differs) << "the seed does not reach the images";
}

TEST(WorkloadInput, LabelledImagesAreRefusedNamingTheKeyThatCannotBeServed) {
  try {
    require_labelled_images(workload_with(rgb32(), kFashionMnistDir), kFile, "accsim train");
    FAIL() << "a 3x32x32 input accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("x.json: workload.network.input: accsim train", 0), 0u) << e.what();
  }
  try {
    require_labelled_images(workload_with(lenet5(), "/nonexistent"), kFile, "accsim train");
    FAIL() << "a missing dataset accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("x.json: workload.dataset_dir: accsim train", 0), 0u) << e.what();
  }
}

// An existing but unusable dataset is refused naming the key, never replaced by synthetic images.
TEST(WorkloadInput, AnUnusableDatasetIsRefusedNamingTheKeyNotReplacedBySyntheticImages) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("accsim_unusable_dataset_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "t10k-images-idx3-ubyte.gz");  // a directory where the file belongs
  const WorkloadConfig w = workload_with(lenet5(), dir.string());
  std::ostringstream notes;
  for (const auto& load : std::vector<std::function<void()>>{
           [&] { load_test_images(w, kFile, lenet5(), 0, 2, 1, notes); },
           [&] { require_labelled_images(w, kFile, "accsim train"); }}) {
    try {
      load();
      ADD_FAILURE() << "an unusable dataset accepted";
    } catch (const InputError& e) {
      const std::string m = e.what();
      EXPECT_EQ(m.rfind("x.json: workload.dataset_dir: " + (dir / "t10k-images-idx3-ubyte.gz").string() +
                            ": is a directory",
                        0),
                0u)
          << m;
    }
  }
  EXPECT_TRUE(notes.str().empty()) << notes.str();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace accsim
