#pragma once
// The HDF5 results file of a simulation run, written so that a crash, a kill or a full
// disk never leaves a half-written file behind: the file is built in memory (HDF5's core
// driver) and commit() writes it to a temporary next to the target and renames it onto
// the target (text_file.h). libhdf5 1.10 never sees a failed write, which it cannot
// recover from (closing such a file crashes it).
//
// Files are written in HDF5's latest format, whose metadata carries checksums (a damaged
// file is refused, not misread), with fixed-length strings only.
//
// Dataset and object paths are absolute-or-relative-to-root ("/layers/conv1/golden_output"
// or "layers/conv1/golden_output"); missing intermediate groups are created on write.
// Programming errors (bad dims, duplicate dataset, use after commit) throw std::logic_error
// subclasses; problems with files and their contents throw accsim::InputError.
// The HDF5 library is serialised internally, but one ResultsFile must not be shared
// between threads without external locking.
#include <H5public.h>  // hsize_t only; the C++ API stays out of this header

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "arch/tensor.h"
#include "workloads/io/table.h"

namespace accsim {

class ResultsFile {
 public:
  // Starts the file in memory; InputError if the target's directory does not exist or is
  // not writable.
  explicit ResultsFile(const std::string& path);
  // Discards the file unless committed; a pre-existing target stays untouched.
  ~ResultsFile();
  ResultsFile(const ResultsFile&) = delete;
  ResultsFile& operator=(const ResultsFile&) = delete;

  const std::string& path() const { return path_; }  // the final target path
  bool committed() const { return committed_; }

  // float32 dataset with t's shape; datasets over 64 KiB are chunked and gzip-compressed.
  void write_tensor(const std::string& dataset, const Tensor& t);
  void write_floats(const std::string& dataset, const std::vector<float>& v,
                    const std::vector<hsize_t>& dims);
  void write_doubles(const std::string& dataset, const std::vector<double>& v);       // 1-D
  void write_int64s(const std::string& dataset, const std::vector<std::int64_t>& v);  // 1-D
  void write_int64s(const std::string& dataset, const std::vector<std::int64_t>& v,
                    const std::vector<hsize_t>& dims);  // any rank, row-major
  void write_uint32s(const std::string& dataset, const std::vector<std::uint32_t>& v,
                     const std::vector<hsize_t>& dims);
  void write_uint8s(const std::string& dataset, const std::vector<std::uint8_t>& v,
                    const std::vector<hsize_t>& dims);
  // 1-D fixed-length UTF-8 strings, NUL-padded to the longest (h5py reads them as bytes).
  void write_strings(const std::string& dataset, const std::vector<std::string>& v);

  // Attributes on an existing group or dataset; a missing path is created as a group.
  // Setting an attribute again replaces it.
  void set_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void set_attribute(const std::string& object, const std::string& name, double value);
  void set_attribute(const std::string& object, const std::string& name, const std::string& value);
  // Any other integer type (int, size_t, ...) would be ambiguous between the int64 and
  // double overloads; store it as int64.
  template <typename I, typename = std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>>>
  void set_attribute(const std::string& object, const std::string& name, I value) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
      if (value > static_cast<std::uint64_t>(INT64_MAX))
        throw std::out_of_range("ResultsFile::set_attribute: '" + name + "' exceeds int64");
    }
    set_attribute(object, name, static_cast<std::int64_t>(value));
  }

  // A table is a group with one 1-D dataset per column (int64, float64 or UTF-8 strings,
  // as the column's type; a `units` attribute when the column has units) plus a "columns"
  // attribute (array of strings) giving the column order, so h5py/pandas readers can
  // rebuild it. Column names must not contain '/'.
  void write_table(const std::string& group, const Table& table);

  // Writes the file to a temporary next to the target, fsyncs it and atomically renames it
  // onto the target; InputError naming the target and the reason (e.g. "No space left on
  // device") with the temporary removed. Further writes throw std::logic_error.
  void commit();

 private:
  struct Handle;  // owns the H5::H5File; keeps the HDF5 C++ headers out of this header

  // The single implementation behind every numeric writer; instantiated in the .cpp only.
  template <typename T>
  void write_numeric(const std::string& dataset, const T* data, std::size_t count,
                     const std::vector<hsize_t>& dims);
  Handle& open_handle(const char* operation);  // std::logic_error once committed

  std::string path_;
  std::string claim_;  // canonical path_, reserved process-wide while this object lives
  std::unique_ptr<Handle> handle_;
  bool committed_ = false;
};

// InputError unless a results file can be created at `path` (its directory exists and is
// writable): long runs check before they start, not when they first save.
void check_output_path(const std::string& path);

// A table as read back: column names in stored order and the matching numeric columns
// (integer columns converted to double).
struct ResultsTable {
  std::vector<std::string> column_names;
  std::vector<std::vector<double>> columns;
};

// Readers used by tests, resumable runs and model files. They throw InputError naming the
// file (and the dataset or attribute) if the file is missing or not HDF5, the object is
// missing or damaged, the stored type or rank does not fit the requested one, the data
// would exceed the memory limit (memory_limit.h), or strings are variable-length:
// their data lives in a heap that libhdf5 1.10 reads without bounds checks, so one
// damaged byte crashes it. Fixed-length strings are read with the bounds their type gives.
Tensor read_tensor(const std::string& file, const std::string& dataset);
std::vector<double> read_doubles(const std::string& file, const std::string& dataset);       // 1-D
std::vector<std::int64_t> read_int64s(const std::string& file, const std::string& dataset);  // 1-D
// An integer dataset of any rank, row-major, with its dimensions in `dims`.
std::vector<std::int64_t> read_int64_array(const std::string& file, const std::string& dataset,
                                           std::vector<hsize_t>& dims);
std::vector<std::string> read_strings(const std::string& file, const std::string& dataset);  // 1-D
std::string read_string_attribute(const std::string& file, const std::string& object,
                                  const std::string& name);
double read_double_attribute(const std::string& file, const std::string& object,
                             const std::string& name);  // also accepts integer attributes
std::int64_t read_int64_attribute(const std::string& file, const std::string& object,
                                  const std::string& name);
ResultsTable read_table(const std::string& file, const std::string& group);
// The dimensions of a dataset, read without its data (check a shape before reading it).
std::vector<hsize_t> dataset_dims(const std::string& file, const std::string& dataset);
// True iff the path exists and is a dataset; the file itself must be a readable HDF5 file.
bool dataset_exists(const std::string& file, const std::string& dataset);

}  // namespace accsim
