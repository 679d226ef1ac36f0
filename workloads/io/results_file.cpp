#include "workloads/io/results_file.h"

#include <H5Cpp.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <limits>
#include <mutex>
#include <set>
#include <system_error>
#include <utility>

#include "arch/input_error.h"
#include "workloads/io/memory_limit.h"
#include "workloads/io/text_file.h"

// libhdf5's metadata checksum (Jenkins' lookup3), exported by the library but declared
// only in its private headers.
extern "C" std::uint32_t H5_checksum_metadata(const void* data, std::size_t len, std::uint32_t initval);

namespace accsim {

namespace fs = std::filesystem;

struct ResultsFile::Handle {
  H5::H5File file;
};

namespace {

constexpr std::size_t kCompressAboveBytes = 64 * 1024;
// Chunks of this size keep several chunks inside HDF5's default 1 MiB chunk cache.
constexpr std::size_t kChunkTargetBytes = 256 * 1024;
constexpr int kGzipLevel = 4;
// The in-memory file grows by this much at a time.
constexpr std::size_t kCoreIncrement = 1 << 20;

const char* const kVariableLengthRefusal =
    " holds variable-length strings, which accsim does not read (libhdf5 reads them without bounds checks: one "
    "damaged byte crashes it); rewrite the file with fixed-length strings: /usr/bin/python3 "
    "tools/python/fixed_length_strings.py FILE";

herr_t keep_innermost(unsigned n, const H5E_error2_t* err, void* out) {
  if (n == 0 && err->desc != nullptr) *static_cast<std::string*>(out) = err->desc;
  return 0;
}

// The most specific HDF5 message (e.g. "unable to truncate a file which is already open")
// of the last failed HDF5 call on this thread.
thread_local std::string t_last_hdf5_error;

// Installed instead of HDF5's stack printer. It records rather than walks the stack later,
// because the C++ wrapper's own cleanup clears the stack before an exception reaches us.
herr_t record_hdf5_error(hid_t stack, void* /*client_data*/) {
  std::string reason;
  H5Ewalk2(stack, H5E_WALK_UPWARD, keep_innermost, &reason);
  if (!reason.empty()) t_last_hdf5_error = reason;
  return 0;
}

// The HDF5 library is built thread-safe, so its error stack (and the auto-print setting)
// is per thread: silence it on every entry point rather than once per process.
void silence_hdf5() {
  thread_local bool silenced = false;
  if (!silenced) {
    H5::Exception::dontPrint();  // stays silent even if installing the recorder failed
    H5Eset_auto2(H5E_DEFAULT, record_hdf5_error, nullptr);
    silenced = true;
  }
}

std::string hdf5_reason(const H5::Exception& e) {
  return t_last_hdf5_error.empty() ? e.getDetailMsg() : t_last_hdf5_error;
}

std::string in_quotes(const std::string& s) { return "'" + s + "'"; }

// Splits "/a//b/c" or "a/b/c" into {"a","b","c"}.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end > start) parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, std::size_t count) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i) s += "/" + parts[i];
  return s.empty() ? "/" : s;
}

// Canonical absolute path of an object; "/" (the root group) only if allow_root.
std::string canonical_path(const std::string& path, bool allow_root) {
  const std::vector<std::string> parts = split_path(path);
  if (parts.empty() && !allow_root)
    throw std::invalid_argument("results file: dataset path " + in_quotes(path) + " names no dataset");
  for (const std::string& p : parts)
    if (p == "." || p == "..")
      throw std::invalid_argument("results file: path " + in_quotes(path) + " contains '" + p + "'");
  return join_path(parts, parts.size());
}

enum class Node { missing, group, dataset, other, blocked /* a prefix is not a group */ };

// Walks the path one link at a time, since HDF5 reports an error (rather than "missing")
// when asked about a path whose intermediate group does not exist.
Node node_at(const H5::H5File& f, const std::string& abs_path) {
  const std::vector<std::string> parts = split_path(abs_path);
  if (parts.empty()) return Node::group;
  for (std::size_t i = 1; i <= parts.size(); ++i) {
    const std::string prefix = join_path(parts, i);
    if (!f.nameExists(prefix)) return Node::missing;
    const H5O_type_t type = f.childObjType(prefix);
    if (i < parts.size()) {
      if (type != H5O_TYPE_GROUP) return Node::blocked;
      continue;
    }
    if (type == H5O_TYPE_GROUP) return Node::group;
    if (type == H5O_TYPE_DATASET) return Node::dataset;
    return Node::other;
  }
  return Node::missing;
}

// Writers never replace data: a second write to the same path is a caller bug.
void require_missing(const H5::H5File& f, const std::string& abs_path) {
  const Node node = node_at(f, abs_path);
  if (node == Node::blocked)
    throw std::invalid_argument("results file: a parent of " + in_quotes(abs_path) + " is not a group");
  if (node != Node::missing)
    throw std::invalid_argument("results file: " + in_quotes(abs_path) + " already exists");
}

H5::LinkCreatPropList with_intermediate_groups() {
  H5::LinkCreatPropList lcpl;
  lcpl.setCreateIntermediateGroup(true);
  return lcpl;
}

// Strings as written: fixed-length UTF-8, NUL-padded to the longest (at least 1 byte, as
// HDF5 requires), so readers copy them with bounds their type gives.
struct FixedStrings {
  H5::StrType type;
  std::vector<char> bytes;  // count x width
};

FixedStrings fixed_strings(const std::string& what, const std::vector<std::string>& v) {
  std::size_t width = 1;
  for (const std::string& s : v) {
    // Readers stop at the first NUL: refuse to truncate silently.
    if (s.find('\0') != std::string::npos)
      throw std::invalid_argument("results file: string in " + in_quotes(what) + " contains a NUL byte");
    width = std::max(width, s.size());
  }
  FixedStrings f{H5::StrType(H5::PredType::C_S1, width), std::vector<char>(v.size() * width, '\0')};
  f.type.setStrpad(H5T_STR_NULLPAD);
  f.type.setCset(H5T_CSET_UTF8);
  for (std::size_t i = 0; i < v.size(); ++i) std::copy(v[i].begin(), v[i].end(), f.bytes.begin() + i * width);
  return f;
}

// File type (fixed little-endian, portable) and memory type (native) per element type.
template <typename T>
struct H5Types;
template <>
struct H5Types<float> {
  static const H5::PredType& file() { return H5::PredType::IEEE_F32LE; }
  static const H5::PredType& mem() { return H5::PredType::NATIVE_FLOAT; }
};
template <>
struct H5Types<double> {
  static const H5::PredType& file() { return H5::PredType::IEEE_F64LE; }
  static const H5::PredType& mem() { return H5::PredType::NATIVE_DOUBLE; }
};
template <>
struct H5Types<std::int64_t> {
  static const H5::PredType& file() { return H5::PredType::STD_I64LE; }
  static const H5::PredType& mem() { return H5::PredType::NATIVE_INT64; }
};
template <>
struct H5Types<std::uint32_t> {
  static const H5::PredType& file() { return H5::PredType::STD_U32LE; }
  static const H5::PredType& mem() { return H5::PredType::NATIVE_UINT32; }
};
template <>
struct H5Types<std::uint8_t> {
  static const H5::PredType& file() { return H5::PredType::STD_U8LE; }
  static const H5::PredType& mem() { return H5::PredType::NATIVE_UINT8; }
};

// Contiguous for small datasets; otherwise chunks of about kChunkTargetBytes, shrinking
// the leading dimensions first so each chunk holds whole trailing rows where possible.
H5::DSetCreatPropList storage_layout(const std::vector<hsize_t>& dims, std::size_t element_bytes) {
  H5::DSetCreatPropList dcpl;
  auto bytes = [element_bytes](const std::vector<hsize_t>& d) {
    hsize_t n = element_bytes;
    for (hsize_t x : d) n *= x;
    return n;
  };
  if (bytes(dims) <= kCompressAboveBytes) return dcpl;
  std::vector<hsize_t> chunk = dims;
  for (hsize_t& c : chunk)
    while (bytes(chunk) > kChunkTargetBytes && c > 1) c = (c + 1) / 2;
  dcpl.setChunk(static_cast<int>(chunk.size()), chunk.data());
  dcpl.setDeflate(kGzipLevel);
  return dcpl;
}

void check_dims(const std::string& dataset, std::size_t count, const std::vector<hsize_t>& dims) {
  if (dims.empty())
    throw std::invalid_argument("results file: dataset " + in_quotes(dataset) +
                                " needs at least one dimension");
  hsize_t product = 1;
  bool overflow = false;
  for (hsize_t d : dims) {
    if (d != 0 && product > std::numeric_limits<hsize_t>::max() / d) overflow = true;
    product *= d;
  }
  if (overflow || product != count)
    throw std::invalid_argument("results file: dataset " + in_quotes(dataset) + " has " +
                                std::to_string(count) + " values, which does not match its dims");
}

// Calls fn(object) with the group or dataset at abs_path (both can carry attributes).
template <typename Fn>
auto with_object(const H5::H5File& f, const std::string& abs_path, Node node, Fn&& fn) {
  if (node == Node::dataset) {
    const H5::DataSet ds = f.openDataSet(abs_path);
    return fn(static_cast<const H5::H5Object&>(ds));
  }
  const H5::Group g = f.openGroup(abs_path);
  return fn(static_cast<const H5::H5Object&>(g));
}

void replace_attribute(const H5::H5Object& obj, const std::string& name, const H5::DataType& file_type,
                       const H5::DataType& mem_type, const H5::DataSpace& space, const void* value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  obj.createAttribute(name, file_type, space).write(mem_type, value);
}

// Runs fn, turning HDF5 failures into InputError "<action>: <reason>".
template <typename Fn>
auto h5_guard(const std::string& action, Fn&& fn) -> decltype(fn()) {
  t_last_hdf5_error.clear();
  try {
    return fn();
  } catch (const H5::Exception& e) {
    throw InputError(action + ": " + hdf5_reason(e));
  }
}

// fsync so that the rename cannot become visible before the data (power loss, ext4 etc.).
// Returns 0 or the errno of the failure.
int fsync_path(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int err = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

// Files are built in memory (nothing reaches the disk before commit) in the latest
// format, whose metadata blocks carry checksums.
H5::FileAccPropList in_memory_access() {
  H5::FileAccPropList fapl;
  // Closing the file must close every object still open in it.
  fapl.setFcloseDegree(H5F_CLOSE_STRONG);
  fapl.setCore(kCoreIncrement, false);
  fapl.setLibverBounds(H5F_LIBVER_LATEST, H5F_LIBVER_LATEST);
  return fapl;
}

// libhdf5 1.10's H5Fget_file_image clears the superblock's "open for writing" flags
// (byte 11 of a version 2 or 3 superblock at offset 0) without recomputing the checksum
// that follows its four addresses: recompute it with libhdf5's own metadata checksum.
void fix_superblock_checksum(std::vector<char>& image) {
  static const char kSignature[] = "\x89HDF\r\n\x1a\n";
  if (image.size() < 12 || std::memcmp(image.data(), kSignature, 8) != 0 || (image[8] != 2 && image[8] != 3)) return;
  const std::size_t checksum_at = 12 + 4 * static_cast<std::size_t>(static_cast<unsigned char>(image[9]));
  if (image.size() < checksum_at + 4) return;
  const std::uint32_t sum = H5_checksum_metadata(image.data(), checksum_at, 0);
  for (std::size_t i = 0; i < 4; ++i) image[checksum_at + i] = static_cast<char>((sum >> (8 * i)) & 0xFF);
}

// The bytes of the complete file.
std::vector<char> file_image(H5::H5File& file) {
  file.flush(H5F_SCOPE_GLOBAL);
  const ssize_t size = H5Fget_file_image(file.getId(), nullptr, 0);
  std::vector<char> image(size > 0 ? static_cast<std::size_t>(size) : 0);
  if (size <= 0 || H5Fget_file_image(file.getId(), image.data(), image.size()) != size)
    throw H5::FileIException("H5Fget_file_image", "cannot copy the file out of memory");
  fix_superblock_checksum(image);
  return image;
}

// Closes once. After a failed close the handle is leaked rather than closed again: a
// second close of a file whose close failed crashes libhdf5 1.10.
template <typename Handle>
void close_quietly(std::unique_ptr<Handle> handle) {
  if (!handle) return;
  try {
    handle->file.close();
  } catch (const H5::Exception&) {
    handle.release();
  }
}

// Targets this process is writing: a second ResultsFile for the same target would replace
// the first one's file (and, in memory, HDF5 takes the same name for the same file).
class ActiveTargets {
 public:
  static ActiveTargets& instance() {
    static ActiveTargets active;
    return active;
  }
  // Canonical key so that "out/r.h5" and "./out/../out/r.h5" are one file.
  static std::string key(const std::string& path) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(fs::absolute(path), ec);
    return ec ? path : canonical.string();
  }
  bool claim(const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    return paths_.insert(key).second;
  }
  void release(const std::string& key) {
    const std::lock_guard<std::mutex> lock(mutex_);
    paths_.erase(key);
  }

 private:
  std::mutex mutex_;
  std::set<std::string> paths_;
};

// ---- reading ----

H5::H5File open_for_reading(const std::string& file) {
  silence_hdf5();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw InputError("results file " + in_quotes(file) + " does not exist");
  if (fs::is_directory(file, ec)) throw InputError("results file " + in_quotes(file) + " is a directory");
  if (::access(file.c_str(), R_OK) != 0)
    throw InputError("results file " + in_quotes(file) + " is not readable: " + std::strerror(errno));
  bool is_hdf5 = false;
  try {
    is_hdf5 = H5::H5File::isHdf5(file);
  } catch (const H5::Exception&) {
    // Unreadable as HDF5 in any way: reported below like any other non-HDF5 file.
  }
  if (!is_hdf5) throw InputError("results file " + in_quotes(file) + " is not an HDF5 file");
  return h5_guard("cannot open results file " + in_quotes(file),
                  [&] { return H5::H5File(file, H5F_ACC_RDONLY); });
}

H5::DataSet open_dataset(const H5::H5File& f, const std::string& file, const std::string& abs_path) {
  if (node_at(f, abs_path) != Node::dataset)
    throw InputError("results file " + in_quotes(file) + " has no dataset " + in_quotes(abs_path));
  return f.openDataSet(abs_path);
}

std::vector<hsize_t> extent(const H5::AbstractDs& ds) {
  const H5::DataSpace space = ds.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  if (!dims.empty()) space.getSimpleExtentDims(dims.data());
  return dims;
}

// In double, so that absurd declared extents (2^40 x 2^40) cannot overflow before the
// memory check refuses them.
double element_count(const std::vector<hsize_t>& dims) {
  double n = 1.0;
  for (hsize_t d : dims) n *= static_cast<double>(d);
  return n;
}

const char* class_name(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point values";
    case H5T_STRING:
      return "strings";
    default:
      return "a compound or other non-scalar type";
  }
}

void expect_class(const H5::AbstractDs& ds, H5T_class_t expected, const std::string& where) {
  const H5T_class_t actual = ds.getTypeClass();
  if (actual != expected)
    throw InputError(where + " holds " + class_name(actual) + ", expected " + class_name(expected));
}

void expect_1d(const std::vector<hsize_t>& dims, const std::string& where) {
  if (dims.size() != 1)
    throw InputError(where + " has rank " + std::to_string(dims.size()) + ", expected a 1-D dataset");
}

std::string dataset_where(const std::string& file, const std::string& abs_path) {
  return "dataset " + in_quotes(abs_path) + " in results file " + in_quotes(file);
}

// Reads a dataset of element type T (HDF5 converts between widths of the same class),
// after checking that its declared extent fits the memory limit.
template <typename T>
std::vector<T> read_values(const H5::DataSet& ds, const std::vector<hsize_t>& dims, const std::string& where) {
  check_memory(element_count(dims) * sizeof(T), where);
  std::vector<T> values(static_cast<std::size_t>(element_count(dims)));
  if (!values.empty()) ds.read(values.data(), H5Types<T>::mem());
  return values;
}

// One shape of reader: open the file, find a 1-D dataset of the expected class, read it.
template <typename T>
std::vector<T> read_1d(const H5::H5File& f, const std::string& file, const std::string& dataset,
                       H5T_class_t expected) {
  const std::string abs_path = canonical_path(dataset, false);
  const std::string where = dataset_where(file, abs_path);
  return h5_guard("cannot read " + where, [&] {
    const H5::DataSet ds = open_dataset(f, file, abs_path);
    expect_class(ds, expected, where);
    const std::vector<hsize_t> dims = extent(ds);
    expect_1d(dims, where);
    return read_values<T>(ds, dims, where);
  });
}

// Strings from a dataset or attribute `where`: fixed-length only (the refusal of
// variable-length ones is in the header), their size checked before reading.
// read_raw(buffer, memory_type) performs the actual read.
std::vector<std::string> read_string_values(const H5::AbstractDs& ds, const std::string& where,
                                            const std::function<void(void*, const H5::DataType&)>& read_raw) {
  const H5::StrType file_type = ds.getStrType();
  if (file_type.isVariableStr()) throw InputError(where + kVariableLengthRefusal);
  const H5::DataSpace space = ds.getSpace();
  const auto n = static_cast<std::size_t>(space.getSimpleExtentNpoints());
  const std::size_t width = file_type.getSize();
  check_memory(static_cast<double>(n) * static_cast<double>(width), where);
  std::vector<std::string> out;
  if (n == 0) return out;
  std::vector<char> buffer(n * width);
  read_raw(buffer.data(), file_type);
  for (std::size_t i = 0; i < n; ++i) {
    const char* s = buffer.data() + i * width;
    out.emplace_back(s, strnlen(s, width));  // NUL-padded or NUL-terminated
  }
  return out;
}

// Attribute `name` on the group or dataset at `object`, after checking both exist.
H5::Attribute open_attribute(const H5::H5File& f, const std::string& file, const std::string& object,
                             const std::string& name) {
  const std::string abs_path = canonical_path(object, true);
  const Node node = node_at(f, abs_path);
  if (node != Node::group && node != Node::dataset)
    throw InputError("results file " + in_quotes(file) + " has no group or dataset " + in_quotes(abs_path));
  return with_object(f, abs_path, node, [&](const H5::H5Object& obj) {
    if (!obj.attrExists(name))
      throw InputError("results file " + in_quotes(file) + " has no attribute " + in_quotes(name) + " on " +
                       in_quotes(abs_path));
    return obj.openAttribute(name);
  });
}

std::string attribute_where(const std::string& file, const std::string& object, const std::string& name) {
  return "attribute " + in_quotes(name) + " on " + in_quotes(canonical_path(object, true)) +
         " in results file " + in_quotes(file);
}

// A single numeric attribute value of type T, from an attribute of one of the allowed classes.
template <typename T>
T read_scalar_attribute(const std::string& file, const std::string& object, const std::string& name,
                        std::initializer_list<H5T_class_t> allowed) {
  const H5::H5File f = open_for_reading(file);
  const std::string where = attribute_where(file, object, name);
  return h5_guard("cannot read " + where, [&] {
    const H5::Attribute attr = open_attribute(f, file, object, name);
    const H5T_class_t actual = attr.getTypeClass();
    bool ok = false;
    for (H5T_class_t c : allowed) ok = ok || c == actual;
    if (!ok) throw InputError(where + " holds " + class_name(actual) + ", expected a number");
    if (attr.getSpace().getSimpleExtentNpoints() != 1) throw InputError(where + " is not a single value");
    T value{};
    attr.read(H5Types<T>::mem(), &value);
    return value;
  });
}

}  // namespace

// ---- ResultsFile ----

void check_output_path(const std::string& path) {
  const std::string what = "cannot create results file " + in_quotes(path);
  if (path.empty()) throw InputError("cannot create results file: the output path is empty");
  fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) dir = ".";
  std::error_code ec;
  if (!fs::exists(dir, ec))
    throw InputError(what + ": directory " + in_quotes(dir.string()) + " does not exist");
  if (!fs::is_directory(dir, ec))
    throw InputError(what + ": " + in_quotes(dir.string()) + " is not a directory");
  if (::access(dir.c_str(), W_OK | X_OK) != 0)
    throw InputError(what + ": directory " + in_quotes(dir.string()) + " is not writable");
  if (fs::is_directory(path, ec)) throw InputError(what + ": it is a directory");
}

ResultsFile::ResultsFile(const std::string& path) : path_(path) {
  silence_hdf5();
  check_output_path(path);
  const std::string claim = ActiveTargets::key(path);
  if (!ActiveTargets::instance().claim(claim))
    throw std::logic_error("results file " + in_quotes(path) + " is already being written by another ResultsFile");
  try {
    handle_ = std::make_unique<Handle>(
        Handle{H5::H5File(path_, H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, in_memory_access())});
  } catch (const H5::Exception& e) {
    ActiveTargets::instance().release(claim);
    throw InputError("cannot create results file " + in_quotes(path) + ": " + hdf5_reason(e));
  }
  claim_ = claim;
}

ResultsFile::~ResultsFile() {
  close_quietly(std::move(handle_));
  if (!claim_.empty()) ActiveTargets::instance().release(claim_);
}

ResultsFile::Handle& ResultsFile::open_handle(const char* operation) {
  if (!handle_)
    throw std::logic_error(std::string("ResultsFile::") + operation + ": results file " + in_quotes(path_) +
                           " is already " + (committed_ ? "committed" : "closed after a failed commit"));
  return *handle_;
}

template <typename T>
void ResultsFile::write_numeric(const std::string& dataset, const T* data, std::size_t count,
                                const std::vector<hsize_t>& dims) {
  Handle& h = open_handle("write");
  const std::string abs_path = canonical_path(dataset, false);
  check_dims(abs_path, count, dims);
  h5_guard("cannot write dataset " + in_quotes(abs_path) + " to results file " + in_quotes(path_), [&] {
    require_missing(h.file, abs_path);
    const H5::DataSpace space(static_cast<int>(dims.size()), dims.data());
    const H5::DataSet ds =
        h.file.createDataSet(abs_path, H5Types<T>::file(), space, storage_layout(dims, sizeof(T)),
                             H5::DSetAccPropList::DEFAULT, with_intermediate_groups());
    if (count > 0) ds.write(data, H5Types<T>::mem());
  });
}

void ResultsFile::write_tensor(const std::string& dataset, const Tensor& t) {
  if (t.rank() == 0) throw std::invalid_argument("results file: rank-0 tensor for " + in_quotes(dataset));
  const std::vector<hsize_t> dims(t.shape().begin(), t.shape().end());
  write_numeric(dataset, t.data(), t.size(), dims);
}

void ResultsFile::write_floats(const std::string& dataset, const std::vector<float>& v,
                               const std::vector<hsize_t>& dims) {
  write_numeric(dataset, v.data(), v.size(), dims);
}

void ResultsFile::write_doubles(const std::string& dataset, const std::vector<double>& v) {
  write_numeric(dataset, v.data(), v.size(), {v.size()});
}

void ResultsFile::write_int64s(const std::string& dataset, const std::vector<std::int64_t>& v) {
  write_numeric(dataset, v.data(), v.size(), {v.size()});
}

void ResultsFile::write_int64s(const std::string& dataset, const std::vector<std::int64_t>& v,
                               const std::vector<hsize_t>& dims) {
  write_numeric(dataset, v.data(), v.size(), dims);
}

void ResultsFile::write_uint32s(const std::string& dataset, const std::vector<std::uint32_t>& v,
                                const std::vector<hsize_t>& dims) {
  write_numeric(dataset, v.data(), v.size(), dims);
}

void ResultsFile::write_uint8s(const std::string& dataset, const std::vector<std::uint8_t>& v,
                               const std::vector<hsize_t>& dims) {
  write_numeric(dataset, v.data(), v.size(), dims);
}

void ResultsFile::write_strings(const std::string& dataset, const std::vector<std::string>& v) {
  Handle& h = open_handle("write_strings");
  const std::string abs_path = canonical_path(dataset, false);
  const FixedStrings strings = fixed_strings(abs_path, v);
  h5_guard("cannot write dataset " + in_quotes(abs_path) + " to results file " + in_quotes(path_), [&] {
    require_missing(h.file, abs_path);
    const hsize_t n = v.size();
    const H5::DataSet ds =
        h.file.createDataSet(abs_path, strings.type, H5::DataSpace(1, &n), H5::DSetCreatPropList::DEFAULT,
                             H5::DSetAccPropList::DEFAULT, with_intermediate_groups());
    if (n > 0) ds.write(strings.bytes.data(), strings.type);
  });
}

namespace {

// Attribute `name` on the object at `object` (a missing path becomes a group), written
// from `value` with the given types and dataspace.
void write_attribute(const H5::H5File& f, const std::string& target, const std::string& object,
                     const std::string& name, const H5::DataType& file_type, const H5::DataType& mem_type,
                     const H5::DataSpace& space, const void* value) {
  if (name.empty()) throw std::invalid_argument("results file: empty attribute name");
  const std::string abs_path = canonical_path(object, true);
  h5_guard(
      "cannot write attribute " + in_quotes(name) + " on " + in_quotes(abs_path) + " in results file " +
          in_quotes(target),
      [&] {
        Node node = node_at(f, abs_path);
        if (node == Node::missing) {
          f.createGroup(abs_path, with_intermediate_groups());
          node = Node::group;
        }
        if (node != Node::group && node != Node::dataset)
          throw std::invalid_argument("results file: " + in_quotes(abs_path) + " is not a group or dataset");
        with_object(f, abs_path, node, [&](const H5::H5Object& obj) {
          replace_attribute(obj, name, file_type, mem_type, space, value);
        });
      });
}

}  // namespace

void ResultsFile::set_attribute(const std::string& object, const std::string& name, std::int64_t value) {
  write_attribute(open_handle("set_attribute").file, path_, object, name, H5Types<std::int64_t>::file(),
                  H5Types<std::int64_t>::mem(), H5::DataSpace(H5S_SCALAR), &value);
}

void ResultsFile::set_attribute(const std::string& object, const std::string& name, double value) {
  write_attribute(open_handle("set_attribute").file, path_, object, name, H5Types<double>::file(),
                  H5Types<double>::mem(), H5::DataSpace(H5S_SCALAR), &value);
}

void ResultsFile::set_attribute(const std::string& object, const std::string& name,
                                const std::string& value) {
  const FixedStrings string = fixed_strings(name, {value});
  write_attribute(open_handle("set_attribute").file, path_, object, name, string.type, string.type,
                  H5::DataSpace(H5S_SCALAR), string.bytes.data());
}

void ResultsFile::write_table(const std::string& group, const Table& table) {
  const std::string abs_path = canonical_path(group, false);
  std::vector<std::string> column_names;
  for (const ColumnSpec& c : table.columns()) {
    if (c.name.find('/') != std::string::npos || c.name == "." || c.name == "..")
      throw std::invalid_argument("results file: table " + in_quotes(abs_path) + " has a '/' column name " +
                                  in_quotes(c.name));
    column_names.push_back(c.name);
  }
  {
    Handle& h = open_handle("write_table");
    h5_guard("cannot write table " + in_quotes(abs_path) + " to results file " + in_quotes(path_), [&] {
      require_missing(h.file, abs_path);
      h.file.createGroup(abs_path, with_intermediate_groups());
    });
  }
  for (std::size_t i = 0; i < column_names.size(); ++i) {
    const std::string dataset = abs_path + "/" + column_names[i];
    const CellType type = table.columns()[i].type;
    if (type == CellType::integer) write_int64s(dataset, table.integers(i));
    if (type == CellType::real) write_doubles(dataset, table.reals(i));
    if (type == CellType::text) write_strings(dataset, table.texts(i));
    if (!table.columns()[i].units.empty()) set_attribute(dataset, "units", table.columns()[i].units);
  }
  const FixedStrings names = fixed_strings(abs_path, column_names);
  const hsize_t n = column_names.size();
  write_attribute(open_handle("write_table").file, path_, abs_path, "columns", names.type, names.type,
                  H5::DataSpace(1, &n), names.bytes.data());
}

void ResultsFile::commit() {
  Handle& h = open_handle("commit");
  const std::vector<char> image =
      h5_guard("cannot finish results file " + in_quotes(path_), [&] { return file_image(h.file); });
  close_quietly(std::move(handle_));
  write_bytes_atomically(path_, image.data(), image.size());
  committed_ = true;
  ActiveTargets::instance().release(claim_);  // the target is free for another writer
  claim_.clear();
  // Best effort: makes the rename itself durable; the data is already safe either way.
  fs::path dir = fs::path(path_).parent_path();
  fsync_path(dir.empty() ? "." : dir.string(), O_RDONLY | O_DIRECTORY);
}

// ---- readers ----

Tensor read_tensor(const std::string& file, const std::string& dataset) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(dataset, false);
  const std::string where = dataset_where(file, abs_path);
  return h5_guard("cannot read " + where, [&] {
    const H5::DataSet ds = open_dataset(f, file, abs_path);
    expect_class(ds, H5T_FLOAT, where);
    const std::vector<hsize_t> dims = extent(ds);
    std::vector<int> shape;
    for (hsize_t d : dims) {
      if (d > static_cast<hsize_t>(INT_MAX)) throw InputError(where + " is too large for a Tensor");
      shape.push_back(static_cast<int>(d));
    }
    check_memory(element_count(dims) * sizeof(float), where);
    const std::vector<float> v = read_values<float>(ds, dims, where);
    Tensor t(shape, Tensor::uninitialized);
    std::copy(v.begin(), v.end(), t.data());
    return t;
  });
}

std::vector<double> read_doubles(const std::string& file, const std::string& dataset) {
  return read_1d<double>(open_for_reading(file), file, dataset, H5T_FLOAT);
}

std::vector<std::int64_t> read_int64s(const std::string& file, const std::string& dataset) {
  return read_1d<std::int64_t>(open_for_reading(file), file, dataset, H5T_INTEGER);
}

std::vector<std::int64_t> read_int64_array(const std::string& file, const std::string& dataset,
                                           std::vector<hsize_t>& dims) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(dataset, false);
  const std::string where = dataset_where(file, abs_path);
  return h5_guard("cannot read " + where, [&] {
    const H5::DataSet ds = open_dataset(f, file, abs_path);
    expect_class(ds, H5T_INTEGER, where);
    dims = extent(ds);
    return read_values<std::int64_t>(ds, dims, where);
  });
}

std::vector<std::string> read_strings(const std::string& file, const std::string& dataset) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(dataset, false);
  const std::string where = dataset_where(file, abs_path);
  return h5_guard("cannot read " + where, [&] {
    const H5::DataSet ds = open_dataset(f, file, abs_path);
    expect_class(ds, H5T_STRING, where);
    expect_1d(extent(ds), where);
    return read_string_values(ds, where, [&](void* buf, const H5::DataType& type) { ds.read(buf, type); });
  });
}

std::string read_string_attribute(const std::string& file, const std::string& object,
                                  const std::string& name) {
  const H5::H5File f = open_for_reading(file);
  const std::string where = attribute_where(file, object, name);
  return h5_guard("cannot read " + where, [&] {
    const H5::Attribute attr = open_attribute(f, file, object, name);
    expect_class(attr, H5T_STRING, where);
    const std::vector<std::string> values =
        read_string_values(attr, where, [&](void* buf, const H5::DataType& type) { attr.read(type, buf); });
    if (values.size() != 1) throw InputError(where + " is not a single string");
    return values.front();
  });
}

double read_double_attribute(const std::string& file, const std::string& object, const std::string& name) {
  return read_scalar_attribute<double>(file, object, name, {H5T_FLOAT, H5T_INTEGER});
}

std::int64_t read_int64_attribute(const std::string& file, const std::string& object,
                                  const std::string& name) {
  return read_scalar_attribute<std::int64_t>(file, object, name, {H5T_INTEGER});
}

ResultsTable read_table(const std::string& file, const std::string& group) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(group, false);
  const std::string where = "table " + in_quotes(abs_path) + " in results file " + in_quotes(file);
  return h5_guard("cannot read " + where, [&] {
    if (node_at(f, abs_path) != Node::group)
      throw InputError("results file " + in_quotes(file) + " has no table " + in_quotes(abs_path));
    const H5::Attribute attr = open_attribute(f, file, abs_path, "columns");
    expect_class(attr, H5T_STRING, where + " attribute 'columns'");
    ResultsTable table;
    table.column_names = read_string_values(attr, where + " attribute 'columns'",
                                            [&](void* buf, const H5::DataType& type) { attr.read(type, buf); });
    for (const std::string& name : table.column_names) {
      const std::string column = abs_path + "/" + name;
      if (open_dataset(f, file, column).getTypeClass() == H5T_INTEGER) {
        const std::vector<std::int64_t> v = read_1d<std::int64_t>(f, file, column, H5T_INTEGER);
        table.columns.emplace_back(v.begin(), v.end());
      } else {
        table.columns.push_back(read_1d<double>(f, file, column, H5T_FLOAT));
      }
    }
    return table;
  });
}

std::vector<hsize_t> dataset_dims(const std::string& file, const std::string& dataset) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(dataset, false);
  return h5_guard("cannot read " + dataset_where(file, abs_path), [&] { return extent(open_dataset(f, file, abs_path)); });
}

bool dataset_exists(const std::string& file, const std::string& dataset) {
  const H5::H5File f = open_for_reading(file);
  const std::string abs_path = canonical_path(dataset, false);
  return h5_guard("cannot inspect results file " + in_quotes(file),
                  [&] { return node_at(f, abs_path) == Node::dataset; });
}

}  // namespace accsim
