#include "workloads/io/fashion_mnist.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "arch/input_error.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

using Bytes = std::vector<unsigned char>;

void put_be32(Bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(v >> shift));
}

Bytes idx_images(std::uint32_t n, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels,
                 std::uint32_t magic = 0x00000803) {
  Bytes out;
  put_be32(out, magic);
  put_be32(out, n);
  put_be32(out, rows);
  put_be32(out, cols);
  out.insert(out.end(), pixels.begin(), pixels.end());
  return out;
}

Bytes idx_labels(std::uint32_t n, const Bytes& labels, std::uint32_t magic = 0x00000801) {
  Bytes out;
  put_be32(out, magic);
  put_be32(out, n);
  out.insert(out.end(), labels.begin(), labels.end());
  return out;
}

// Deterministic, distinct-looking pixels: image i, pixel p.
Bytes pattern_pixels(int n, int pixels_per_image) {
  Bytes out;
  for (int i = 0; i < n; ++i)
    for (int p = 0; p < pixels_per_image; ++p)
      out.push_back(static_cast<unsigned char>((i * 37 + p * 11) % 256));
  return out;
}

// Runs `f`, expects an InputError, and returns its message ("" if none was thrown).
std::string input_error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

class FashionMnistFiles : public testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() / ("accsim_fashion_mnist_test_" + std::to_string(::getpid()) +
                                        "_" + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::string write_gz(const std::string& name, const Bytes& bytes) const {
    const std::string p = path(name);
    gzFile gz = gzopen(p.c_str(), "wb");
    EXPECT_NE(gz, nullptr) << p;
    if (!gz) return p;
    if (!bytes.empty()) {
      EXPECT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
                static_cast<int>(bytes.size()));
    }
    EXPECT_EQ(gzclose(gz), Z_OK);
    return p;
  }

  std::string write_raw(const std::string& name, const Bytes& bytes) const {
    const std::string p = path(name);
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return p;
  }

  // A well-formed 28x28 split with n images whose labels are i % 10.
  void write_split(const std::string& prefix, int n) const {
    Bytes labels;
    for (int i = 0; i < n; ++i) labels.push_back(static_cast<unsigned char>(i % 10));
    write_gz(prefix + "-images-idx3-ubyte.gz", idx_images(n, 28, 28, pattern_pixels(n, 28 * 28)));
    write_gz(prefix + "-labels-idx1-ubyte.gz", idx_labels(n, labels));
  }

  fs::path dir_;
};

TEST_F(FashionMnistFiles, ImagePixelsRoundTripScaledBy255IntoShapeN1RowsCols) {
  const Bytes pixels = {0, 255, 128, 1, 2, 3, 10, 20, 30, 40, 50, 254};
  const std::string p = write_gz("img.gz", idx_images(2, 2, 3, pixels));
  const Tensor t = read_idx_images(p);
  ASSERT_EQ(t.shape(), (std::vector<int>{2, 1, 2, 3}));
  ASSERT_EQ(t.size(), pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i)
    EXPECT_EQ(t[i], static_cast<float>(pixels[i]) / 255.0f) << i;
  EXPECT_EQ(t[0], 0.0f);
  EXPECT_EQ(t[1], 1.0f);
}

TEST_F(FashionMnistFiles, LabelValuesRoundTripUnchanged) {
  const Bytes labels = {9, 0, 3, 7, 1};
  const std::string p = write_gz("lbl.gz", idx_labels(5, labels));
  EXPECT_EQ(read_idx_labels(p), (std::vector<int>{9, 0, 3, 7, 1}));
}

TEST_F(FashionMnistFiles, UncompressedIdxFileIsAlsoAccepted) {
  const std::string p = write_raw("lbl", idx_labels(3, {4, 5, 6}));
  EXPECT_EQ(read_idx_labels(p), (std::vector<int>{4, 5, 6}));
}

TEST_F(FashionMnistFiles, OffsetAndLimitSelectExactlyTheRequestedContiguousItems) {
  const Bytes pixels = pattern_pixels(5, 4);
  const std::string img = write_gz("img.gz", idx_images(5, 2, 2, pixels));
  const std::string lbl = write_gz("lbl.gz", idx_labels(5, {0, 1, 2, 3, 4}));

  const Tensor mid = read_idx_images(img, 1, 2);
  ASSERT_EQ(mid.shape(), (std::vector<int>{2, 1, 2, 2}));
  for (std::size_t i = 0; i < mid.size(); ++i) EXPECT_EQ(mid[i], pixels[4 + i] / 255.0f) << i;
  EXPECT_EQ(read_idx_labels(lbl, 1, 2), (std::vector<int>{1, 2}));

  // limit 0 takes everything from offset to the end.
  const Tensor tail = read_idx_images(img, 3);
  ASSERT_EQ(tail.shape(), (std::vector<int>{2, 1, 2, 2}));
  for (std::size_t i = 0; i < tail.size(); ++i) EXPECT_EQ(tail[i], pixels[12 + i] / 255.0f) << i;
  EXPECT_EQ(read_idx_labels(lbl, 3), (std::vector<int>{3, 4}));
  EXPECT_EQ(read_idx_labels(lbl, 4, 1), (std::vector<int>{4}));
  EXPECT_EQ(read_idx_labels(lbl, 0, 5), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST_F(FashionMnistFiles, LoadPairsImagesWithLabelsForBothSplitsAndHonoursOffsetLimit) {
  write_split("train", 12);
  write_split("t10k", 7);
  const Bytes pixels = pattern_pixels(12, 28 * 28);

  const LabelledImages train = load_fashion_mnist(dir_.string(), DatasetSplit::train);
  EXPECT_EQ(train.images.shape(), (std::vector<int>{12, 1, 28, 28}));
  ASSERT_EQ(train.labels.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(train.labels[i], i % 10);
  for (std::size_t i = 0; i < train.images.size(); ++i)
    ASSERT_EQ(train.images[i], pixels[i] / 255.0f) << i;

  const LabelledImages test = load_fashion_mnist(dir_.string(), DatasetSplit::test);
  EXPECT_EQ(test.images.shape(), (std::vector<int>{7, 1, 28, 28}));
  EXPECT_EQ(test.labels.size(), 7u);

  const LabelledImages part = load_fashion_mnist(dir_.string(), DatasetSplit::train, 9, 3);
  EXPECT_EQ(part.images.shape(), (std::vector<int>{3, 1, 28, 28}));
  EXPECT_EQ(part.labels, (std::vector<int>{9, 0, 1}));
  for (std::size_t i = 0; i < part.images.size(); ++i)
    ASSERT_EQ(part.images[i], pixels[9 * 28 * 28 + i] / 255.0f) << i;
}

TEST_F(FashionMnistFiles, WrongMagicNumberThrowsInputErrorNamingPathAndMagic) {
  // A labels file where images are expected, and garbage where labels are expected.
  const std::string img = write_gz("img.gz", idx_labels(2, {1, 2}));
  const std::string msg = input_error_message([&] { read_idx_images(img); });
  EXPECT_NE(msg.find(img), std::string::npos) << msg;
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0x00000803"), std::string::npos) << msg;

  const std::string lbl = write_gz("lbl.gz", idx_labels(2, {1, 2}, 0x12345678));
  const std::string msg2 = input_error_message([&] { read_idx_labels(lbl); });
  EXPECT_NE(msg2.find(lbl), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("magic"), std::string::npos) << msg2;
  EXPECT_NE(msg2.find("0x12345678"), std::string::npos) << msg2;
}

TEST_F(FashionMnistFiles, TruncatedPixelDataThrowsInputErrorMentioningTruncated) {
  const std::string p =
      write_gz("img.gz", idx_images(3, 2, 2, pattern_pixels(2, 4)));  // 8 of 12 bytes
  const std::string msg = input_error_message([&] { read_idx_images(p); });
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("only 8 bytes"), std::string::npos) << msg;
  // The missing part is also detected when skipping to an offset beyond the data.
  EXPECT_NE(input_error_message([&] { read_idx_images(p, 2, 1); }).find("truncated"),
            std::string::npos);
  // Items before the cut are still readable.
  EXPECT_EQ(read_idx_images(p, 0, 2).shape(), (std::vector<int>{2, 1, 2, 2}));
}

TEST_F(FashionMnistFiles, TruncatedHeaderOrLabelsThrowInputErrorMentioningTruncated) {
  const std::string head = write_gz("head.gz", {0, 0, 8, 3, 0, 0});
  EXPECT_NE(input_error_message([&] { read_idx_images(head); }).find("truncated"),
            std::string::npos);
  const std::string empty = write_gz("empty.gz", {});
  EXPECT_NE(input_error_message([&] { read_idx_labels(empty); }).find("truncated"),
            std::string::npos);
  const std::string lbl = write_gz("lbl.gz", idx_labels(4, {1, 2}));
  const std::string msg = input_error_message([&] { read_idx_labels(lbl); });
  EXPECT_NE(msg.find(lbl), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST_F(FashionMnistFiles, GzipStreamCutShortOrCorruptThrowsInputError) {
  // A large, poorly compressible file whose compressed bytes are cut in half.
  Bytes pixels(200 * 28 * 28);
  std::uint32_t x = 12345;
  for (auto& b : pixels) b = static_cast<unsigned char>((x = x * 1103515245u + 12345u) >> 24);
  const std::string full = write_gz("full.gz", idx_images(200, 28, 28, pixels));
  std::ifstream in(full, std::ios::binary);
  const Bytes compressed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut =
      write_raw("cut.gz", Bytes(compressed.begin(), compressed.begin() + compressed.size() / 2));
  const std::string msg = input_error_message([&] { read_idx_images(cut); });
  EXPECT_NE(msg.find(cut), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;

  // Flipped bits in the compressed data: zlib's error becomes a one-line InputError.
  Bytes corrupt = compressed;
  for (std::size_t i = compressed.size() / 3; i < compressed.size() / 3 + 64; ++i)
    corrupt[i] ^= 0x5A;
  const std::string bad = write_raw("bad.gz", corrupt);
  const std::string msg2 = input_error_message([&] { read_idx_images(bad); });
  EXPECT_NE(msg2.find(bad), std::string::npos) << msg2;
  EXPECT_EQ(msg2.find('\n'), std::string::npos) << msg2;
}

TEST_F(FashionMnistFiles, ImageAndLabelCountMismatchThrowsInputErrorNamingBothFiles) {
  write_gz("t10k-images-idx3-ubyte.gz", idx_images(3, 28, 28, pattern_pixels(3, 28 * 28)));
  write_gz("t10k-labels-idx1-ubyte.gz", idx_labels(2, {0, 1}));
  const std::string msg =
      input_error_message([&] { load_fashion_mnist(dir_.string(), DatasetSplit::test); });
  EXPECT_NE(msg.find(path("t10k-images-idx3-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find(path("t10k-labels-idx1-ubyte.gz")), std::string::npos) << msg;
  EXPECT_NE(msg.find("3 images"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 labels"), std::string::npos) << msg;
}

TEST_F(FashionMnistFiles, LoadRejectsImagesThatAreNot28x28) {
  write_gz("t10k-images-idx3-ubyte.gz", idx_images(2, 2, 2, pattern_pixels(2, 4)));
  write_gz("t10k-labels-idx1-ubyte.gz", idx_labels(2, {0, 1}));
  const std::string msg =
      input_error_message([&] { load_fashion_mnist(dir_.string(), DatasetSplit::test); });
  EXPECT_NE(msg.find("28x28"), std::string::npos) << msg;
}

TEST_F(FashionMnistFiles, ZeroOrAbsurdHeaderDimensionsThrowInputError) {
  const std::string zero = write_gz("zero.gz", idx_images(0, 28, 28, {}));
  EXPECT_NE(input_error_message([&] { read_idx_images(zero); }).find("dimensions"),
            std::string::npos);
  const std::string flat = write_gz("flat.gz", idx_images(1, 0, 28, {}));
  EXPECT_NE(input_error_message([&] { read_idx_images(flat); }).find("dimensions"),
            std::string::npos);
  const std::string huge = write_gz("huge.gz", idx_images(1, 1u << 20, 1u << 20, {1, 2, 3}));
  EXPECT_NE(input_error_message([&] { read_idx_images(huge); }).find("dimensions"),
            std::string::npos);
  // A lying item count is caught as truncation without allocating what it announces.
  const std::string lying =
      write_gz("lying.gz", idx_images(2000000000u, 28, 28, pattern_pixels(1, 28 * 28)));
  EXPECT_NE(input_error_message([&] { read_idx_images(lying); }).find("truncated"),
            std::string::npos);
}

TEST_F(FashionMnistFiles, LabelAboveNineThrowsInputErrorNamingValueAndIndex) {
  const std::string p = write_gz("lbl.gz", idx_labels(4, {0, 9, 10, 3}));
  const std::string msg = input_error_message([&] { read_idx_labels(p); });
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_NE(msg.find("label 10 at index 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("0..9"), std::string::npos) << msg;
  // Items outside the selection are not inspected.
  EXPECT_EQ(read_idx_labels(p, 0, 2), (std::vector<int>{0, 9}));
}

TEST_F(FashionMnistFiles, MissingFileThrowsInputErrorNamingThePath) {
  const std::string p = path("does-not-exist.gz");
  const std::string msg = input_error_message([&] { read_idx_images(p); });
  EXPECT_NE(msg.find(p), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;

  const std::string msg2 =
      input_error_message([&] { load_fashion_mnist(dir_.string(), DatasetSplit::train); });
  EXPECT_NE(msg2.find(path("train-images-idx3-ubyte.gz")), std::string::npos) << msg2;

  const std::string msg3 = input_error_message([&] { read_idx_labels(dir_.string()); });
  EXPECT_NE(msg3.find(dir_.string()), std::string::npos) << msg3;
}

TEST_F(FashionMnistFiles, OffsetOrLimitOutOfRangeThrowsInputError) {
  write_split("t10k", 5);
  const std::string dir = dir_.string();
  const std::string img = path("t10k-images-idx3-ubyte.gz");
  const std::string beyond =
      input_error_message([&] { load_fashion_mnist(dir, DatasetSplit::test, 3, 3); });
  EXPECT_NE(beyond.find(img), std::string::npos) << beyond;
  EXPECT_NE(beyond.find("beyond"), std::string::npos) << beyond;
  EXPECT_NE(beyond.find("holds 5"), std::string::npos) << beyond;
  EXPECT_NE(input_error_message([&] { load_fashion_mnist(dir, DatasetSplit::test, 0, 6); }), "");
  EXPECT_NE(
      input_error_message([&] { load_fashion_mnist(dir, DatasetSplit::test, 5); }).find("offset 5"),
      std::string::npos);
  EXPECT_NE(input_error_message([&] { load_fashion_mnist(dir, DatasetSplit::test, -1); }), "");
  EXPECT_NE(input_error_message([&] { load_fashion_mnist(dir, DatasetSplit::test, 0, -2); }), "");
  EXPECT_NE(input_error_message([&] { read_idx_labels(path("t10k-labels-idx1-ubyte.gz"), 4, 2); }),
            "");
  EXPECT_EQ(load_fashion_mnist(dir, DatasetSplit::test, 3, 2).labels, (std::vector<int>{3, 4}));
}

TEST_F(FashionMnistFiles, AvailableOnlyWhenBothTestSplitFilesExist) {
  EXPECT_FALSE(fashion_mnist_available(dir_.string()));
  write_gz("t10k-images-idx3-ubyte.gz", idx_images(1, 28, 28, pattern_pixels(1, 28 * 28)));
  EXPECT_FALSE(fashion_mnist_available(dir_.string()));
  write_gz("t10k-labels-idx1-ubyte.gz", idx_labels(1, {0}));
  EXPECT_TRUE(fashion_mnist_available(dir_.string()));
  EXPECT_FALSE(fashion_mnist_available(path("no-such-dir")));
}

// A dataset that is there but unusable was once taken for a missing one (synthetic
// images); now only a dataset that is not there at all is "absent".
TEST_F(FashionMnistFiles, StatusTellsAnAbsentDatasetFromAnUnusableOne) {
  EXPECT_EQ(fashion_mnist_status(path("no-such-dir")).state, DatasetState::absent);
  EXPECT_EQ(fashion_mnist_status(dir_.string()).state, DatasetState::absent);  // holds neither file
  fs::create_directories(path("t10k-images-idx3-ubyte.gz"));
  DatasetStatus s = fashion_mnist_status(dir_.string());
  EXPECT_EQ(s.state, DatasetState::unusable);
  EXPECT_NE(s.reason.find(path("t10k-images-idx3-ubyte.gz") + ": is a directory"), std::string::npos) << s.reason;
  fs::remove(path("t10k-images-idx3-ubyte.gz"));
  ASSERT_EQ(::mkfifo(path("t10k-images-idx3-ubyte.gz").c_str(), 0600), 0);
  s = fashion_mnist_status(dir_.string());
  EXPECT_EQ(s.state, DatasetState::unusable);
  EXPECT_NE(s.reason.find(": is a FIFO"), std::string::npos) << s.reason;
  fs::remove(path("t10k-images-idx3-ubyte.gz"));
  write_gz("t10k-images-idx3-ubyte.gz", idx_images(1, 28, 28, pattern_pixels(1, 28 * 28)));
  s = fashion_mnist_status(dir_.string());  // the labels are missing
  EXPECT_EQ(s.state, DatasetState::unusable);
  EXPECT_NE(s.reason.find(path("t10k-labels-idx1-ubyte.gz") + " is missing"), std::string::npos) << s.reason;
  write_gz("t10k-labels-idx1-ubyte.gz", idx_labels(1, {0}));
  EXPECT_EQ(fashion_mnist_status(dir_.string()).state, DatasetState::usable);
  s = fashion_mnist_status(path("t10k-labels-idx1-ubyte.gz"));  // a file as the folder
  EXPECT_EQ(s.state, DatasetState::unusable);
  EXPECT_NE(s.reason.find("is not a directory"), std::string::npos) << s.reason;
}

TEST_F(FashionMnistFiles, AFifoOrADeviceAsAnIdxFileIsAnInputErrorNotAHang) {
  ASSERT_EQ(::mkfifo(path("fifo.gz").c_str(), 0600), 0);
  EXPECT_NE(input_error_message([&] { read_idx_images(path("fifo.gz")); }).find(path("fifo.gz") + ": is a FIFO"),
            std::string::npos);
  EXPECT_NE(input_error_message([&] { read_idx_labels("/dev/zero"); }).find("/dev/zero: is a character device"),
            std::string::npos);
}

TEST(FashionMnistDataset, RealDatasetHas10000TestAnd60000TrainImagesWithAllClassesAndUnitPixels) {
  if (!fashion_mnist_available(kFashionMnistDir))
    GTEST_SKIP() << "no dataset in " << kFashionMnistDir;

  const LabelledImages test = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test);
  EXPECT_EQ(test.images.shape(), (std::vector<int>{10000, 1, 28, 28}));
  ASSERT_EQ(test.labels.size(), 10000u);
  std::vector<int> per_class(10, 0);
  for (int l : test.labels) {
    ASSERT_GE(l, 0);
    ASSERT_LE(l, 9);
    ++per_class[l];
  }
  for (int c = 0; c < 10; ++c) EXPECT_GT(per_class[c], 0) << "class " << c;
  const auto [lo, hi] =
      std::minmax_element(test.images.values().begin(), test.images.values().end());
  EXPECT_GE(*lo, 0.0f);
  EXPECT_LE(*hi, 1.0f);
  EXPECT_GT(*hi, 0.0f);  // not all black

  const auto start = std::chrono::steady_clock::now();
  const LabelledImages train = load_fashion_mnist(kFashionMnistDir, DatasetSplit::train);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(train.images.shape(), (std::vector<int>{60000, 1, 28, 28}));
  EXPECT_EQ(train.labels.size(), 60000u);
  RecordProperty("train_load_seconds", std::to_string(seconds));
}

}  // namespace
}  // namespace accsim
