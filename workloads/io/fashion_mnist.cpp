#include "workloads/io/fashion_mnist.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "arch/input_error.h"
#include "arch/input_file.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dims: N, rows, cols
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dim: N
constexpr int kNumClasses = 10;
constexpr int kSide = 28;
// Larger sides are certainly a corrupt header; the bound also keeps byte counts in 64 bits.
constexpr std::uint32_t kMaxSide = 65535;
// Data is read in pieces of at most this size, so a lying header cannot make us allocate
// more than the file really holds (the 47 MB training set is still read in one go).
constexpr std::uint64_t kReadChunk = std::uint64_t{64} << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw InputError(path + ": " + what);
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", static_cast<unsigned>(v));
  return buf;
}

std::uint32_t big_endian32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};
using GzHandle = std::unique_ptr<gzFile_s, GzCloser>;

// One open IDX file of unsigned bytes: validates the header on construction, then hands out
// the bytes of a contiguous range of items. gzopen also reads uncompressed files transparently.
class IdxFile {
 public:
  IdxFile(const std::string& path, std::uint32_t magic) : path_(path), magic_(magic) {
    require_regular_file(path, "a gzip-compressed IDX file");  // a FIFO would block gzopen
    errno = 0;  // gzopen leaves errno untouched when only its own allocation fails.
    gz_.reset(gzopen(path.c_str(), "rb"));
    if (!gz_) {
      const int err = errno;
      fail(path, std::string("cannot open: ") + (err ? std::strerror(err) : "out of memory") +
                     " (expected a gzip-compressed IDX file)");
    }
    gzbuffer(gz_.get(), 256 * 1024);  // Fewer, larger reads from disk.
    read_header();
  }

  std::uint32_t count() const { return dims_[0]; }
  std::uint64_t item_bytes() const { return item_bytes_; }
  int rows() const { return static_cast<int>(dims_[1]); }
  int cols() const { return static_cast<int>(dims_[2]); }
  const std::string& path() const { return path_; }
  const char* noun() const { return magic_ == kImagesMagic ? "images" : "labels"; }

  // Returns the bytes of items [first, first + n). Call at most once: the stream only goes forward.
  std::vector<unsigned char> read_items(int first, int n) {
    const std::uint64_t skip = static_cast<std::uint64_t>(first) * item_bytes_;
    const std::uint64_t want = static_cast<std::uint64_t>(n) * item_bytes_;
    std::uint64_t skipped = 0;
    {
      std::vector<unsigned char> scratch(
          static_cast<std::size_t>(std::min<std::uint64_t>(skip, 1 << 20)));
      while (skipped < skip) {
        const std::uint64_t got =
            read_some(scratch.data(), std::min<std::uint64_t>(skip - skipped, scratch.size()));
        if (got == 0) fail_truncated(skipped);
        skipped += got;
      }
    }
    std::vector<unsigned char> bytes;
    std::uint64_t have = 0;
    while (have < want) {
      const std::uint64_t piece = std::min(want - have, kReadChunk);
      bytes.resize(static_cast<std::size_t>(have + piece));
      const std::uint64_t got = read_some(bytes.data() + have, piece);
      if (got == 0) fail_truncated(skipped + have);
      have += got;
    }
    return bytes;
  }

 private:
  void read_header() {
    unsigned char head[16];
    const unsigned ndims = magic_ == kImagesMagic ? 3 : 1;
    const std::uint64_t head_bytes = 4 + 4 * std::uint64_t{ndims};
    std::uint64_t got = read_some(head, 4);
    if (got < 4)
      fail(path_, "truncated: the file holds " + std::to_string(got) + " bytes but an IDX " +
                      noun() + " header needs " + std::to_string(head_bytes));
    const std::uint32_t magic = big_endian32(head);
    if (magic != magic_) {
      std::string what = "wrong magic number " + hex32(magic) + "; expected " + hex32(magic_) +
                         " (IDX " + noun() + " file of unsigned bytes with " +
                         std::to_string(ndims) + (ndims == 1 ? " dimension)" : " dimensions)");
      if (magic == kLabelsMagic) what += "; this looks like an IDX labels file";
      if (magic == kImagesMagic) what += "; this looks like an IDX images file";
      fail(path_, what);
    }
    got += read_some(head + 4, head_bytes - 4);
    if (got < head_bytes)
      fail(path_, "truncated: the file holds " + std::to_string(got) + " bytes but an IDX " +
                      noun() + " header needs " + std::to_string(head_bytes));
    for (unsigned i = 0; i < ndims; ++i) dims_[i] = big_endian32(head + 4 + 4 * i);

    // The item count must fit the int offsets/limits and the tensor's int shape.
    if (dims_[0] == 0 || dims_[0] > static_cast<std::uint32_t>(std::numeric_limits<int>::max()))
      fail(path_, "wrong dimensions: header announces " + std::to_string(dims_[0]) + " " + noun() +
                      "; expected 1.." + std::to_string(std::numeric_limits<int>::max()));
    if (magic_ == kImagesMagic &&
        (dims_[1] == 0 || dims_[2] == 0 || dims_[1] > kMaxSide || dims_[2] > kMaxSide))
      fail(path_, "wrong dimensions: header announces images of " + std::to_string(dims_[1]) + "x" +
                      std::to_string(dims_[2]) + "; expected rows and cols in 1.." +
                      std::to_string(kMaxSide));
    item_bytes_ = magic_ == kImagesMagic ? std::uint64_t{dims_[1]} * dims_[2] : 1;
  }

  // Reads up to n bytes; fewer only at the end of the data. A gzip stream cut short reads
  // as a short count too (zlib reports Z_BUF_ERROR but returns what it could decompress).
  std::uint64_t read_some(unsigned char* dst, std::uint64_t n) {
    std::uint64_t total = 0;
    while (total < n) {
      const unsigned piece = static_cast<unsigned>(std::min<std::uint64_t>(n - total, 1u << 30));
      const int got = gzread(gz_.get(), dst + total, piece);
      if (got < 0) {
        const int err = errno;
        int errnum = Z_OK;
        std::string msg = gzerror(gz_.get(), &errnum);
        if (errnum == Z_ERRNO) msg = std::strerror(err);
        // zlib prefixes its messages with the path, which ours already starts with.
        if (msg.compare(0, path_.size() + 2, path_ + ": ") == 0) msg.erase(0, path_.size() + 2);
        fail(path_, "cannot read: " + msg + " (expected a valid gzip-compressed IDX file)");
      }
      if (got == 0) break;
      total += static_cast<std::uint64_t>(got);
    }
    return total;
  }

  // `data_bytes`: bytes after the header that were present when the stream ended.
  [[noreturn]] void fail_truncated(std::uint64_t data_bytes) const {
    const std::uint64_t announced = std::uint64_t{dims_[0]} * item_bytes_;
    std::string items = std::to_string(dims_[0]) + " " + noun();
    if (magic_ == kImagesMagic)
      items += " of " + std::to_string(dims_[1]) + "x" + std::to_string(dims_[2]);
    fail(path_, "truncated: header announces " + items + " (" + std::to_string(announced) +
                    " bytes) but only " + std::to_string(data_bytes) + " bytes follow the header");
  }

  std::string path_;
  std::uint32_t magic_;
  GzHandle gz_;
  std::uint32_t dims_[3] = {0, 0, 0};
  std::uint64_t item_bytes_ = 1;
};

// Validates [offset, offset + limit) against the file's item count; returns the number of items.
int selected_count(const IdxFile& f, int offset, int limit) {
  const std::int64_t n = f.count();
  const std::string of_n = "the file holds " + std::to_string(n) + " " + f.noun();
  if (offset < 0 || offset >= n)
    fail(f.path(), "offset " + std::to_string(offset) + " is out of range: " + of_n +
                       " (expected 0 <= offset < " + std::to_string(n) + ")");
  if (limit < 0)
    fail(f.path(), "limit " + std::to_string(limit) +
                       " is negative; expected 0 (all remaining) or a positive count");
  if (limit == 0) return static_cast<int>(n - offset);
  if (std::int64_t{offset} + limit > n)
    fail(f.path(), "offset " + std::to_string(offset) + " + limit " + std::to_string(limit) +
                       " is beyond the end: " + of_n +
                       " (expected offset + limit <= " + std::to_string(n) + ")");
  return limit;
}

Tensor read_images(IdxFile& f, int offset, int n) {
  const std::vector<int> shape = {n, 1, f.rows(), f.cols()};
  const std::vector<unsigned char> bytes = f.read_items(offset, n);
  Tensor t(shape);
  float* out = t.data();
  for (std::size_t i = 0; i < bytes.size(); ++i) out[i] = static_cast<float>(bytes[i]) / 255.0f;
  return t;
}

std::vector<int> read_labels(IdxFile& f, int offset, int n) {
  const std::vector<unsigned char> bytes = f.read_items(offset, n);
  std::vector<int> labels(bytes.begin(), bytes.end());
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= kNumClasses)
      fail(f.path(), "label " + std::to_string(labels[i]) + " at index " +
                         std::to_string(offset + static_cast<std::int64_t>(i)) +
                         " is out of range; expected 0.." + std::to_string(kNumClasses - 1));
  return labels;
}

std::string join(const std::string& dir, const char* file) {
  return (std::filesystem::path(dir) / file).string();
}

const char* const kTestFiles[] = {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
const char* const kTrainFiles[] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"};

// "" when `path` is a regular file this process can open for reading, else why not.
std::string unusable_because(const std::string& path) {
  try {
    require_regular_file(path, "a gzip-compressed IDX file");
  } catch (const InputError& e) {
    return e.what();
  }
  if (!std::ifstream(path, std::ios::binary).good()) return path + ": cannot open: " + std::strerror(errno);
  return "";
}

}  // namespace

Tensor read_idx_images(const std::string& path, int offset, int limit) {
  IdxFile f(path, kImagesMagic);
  const int n = selected_count(f, offset, limit);
  return read_images(f, offset, n);
}

std::vector<int> read_idx_labels(const std::string& path, int offset, int limit) {
  IdxFile f(path, kLabelsMagic);
  const int n = selected_count(f, offset, limit);
  return read_labels(f, offset, n);
}

LabelledImages load_fashion_mnist(const std::string& dir, DatasetSplit split, int offset,
                                  int limit) {
  const bool train = split == DatasetSplit::train;
  IdxFile images(join(dir, train ? kTrainFiles[0] : kTestFiles[0]), kImagesMagic);
  IdxFile labels(join(dir, train ? kTrainFiles[1] : kTestFiles[1]), kLabelsMagic);
  // Both headers are checked before any pixel is decompressed, so mistakes fail fast.
  if (images.rows() != kSide || images.cols() != kSide)
    fail(images.path(), "wrong dimensions: images are " + std::to_string(images.rows()) + "x" +
                            std::to_string(images.cols()) + "; expected 28x28 for Fashion-MNIST");
  if (images.count() != labels.count())
    fail(images.path(), "holds " + std::to_string(images.count()) + " images but " + labels.path() +
                            " holds " + std::to_string(labels.count()) +
                            " labels; expected the same count");
  const int n = selected_count(images, offset, limit);
  LabelledImages out;
  out.labels = read_labels(labels, offset, n);
  out.images = read_images(images, offset, n);
  return out;
}

DatasetStatus fashion_mnist_status(const std::string& dir) {
  std::error_code ec;
  const fs::file_status folder = fs::status(dir, ec);
  if (!fs::exists(folder)) return {DatasetState::absent, dir + " does not exist"};
  if (!fs::is_directory(folder)) return {DatasetState::unusable, dir + " is not a directory"};
  int present = 0;
  for (const char* name : kTestFiles) present += fs::exists(fs::symlink_status(join(dir, name), ec));
  if (present == 0) return {DatasetState::absent, "Fashion-MNIST not found in " + dir};
  for (const char* name : kTestFiles) {
    const std::string path = join(dir, name);
    if (!fs::exists(fs::symlink_status(path, ec))) return {DatasetState::unusable, path + " is missing"};
    const std::string why = unusable_because(path);
    if (!why.empty()) return {DatasetState::unusable, why};
  }
  return {DatasetState::usable, ""};
}

std::vector<std::string> fashion_mnist_files(const std::string& dir) {
  return {join(dir, kTestFiles[0]), join(dir, kTestFiles[1]), join(dir, kTrainFiles[0]), join(dir, kTrainFiles[1])};
}

bool fashion_mnist_available(const std::string& dir) {
  return fashion_mnist_status(dir).state == DatasetState::usable;
}

}  // namespace accsim
