#pragma once
// Experiment results as bytes, to send them between the ranks of a distributed run
// (distributed_runner.h). Values are copied bit for bit (host byte order: every rank of
// a run is the same accsim binary on the same kind of machine), so a result decoded on
// rank 0 equals the one computed on another rank exactly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "workloads/experiments/mpi_session.h"

namespace accsim {

class ByteWriter {
 public:
  template <typename T>
  void put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>, "put: plain values only");
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <typename T>
  void put_vector(const std::vector<T>& values) {
    put(static_cast<std::uint64_t>(values.size()));
    for (const T& v : values) put(v);
  }
  void put_string(const std::string& s);
  Bytes& bytes() { return bytes_; }

 private:
  Bytes bytes_;
};

// Reads what a ByteWriter wrote, in the same order; a short or overlong message
// throws std::runtime_error (a bug or a mismatched binary, never user input).
class ByteReader {
 public:
  explicit ByteReader(const Bytes& bytes) : bytes_(bytes) {}
  template <typename T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>, "get: plain values only");
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  template <typename T>
  std::vector<T> get_vector() {
    const auto n = get<std::uint64_t>();
    check_left(n, sizeof(T));  // before allocating: a damaged length must not allocate
    std::vector<T> values(static_cast<std::size_t>(n));
    for (T& v : values) v = get<T>();
    return values;
  }
  std::string get_string();
  void expect_end() const;

 private:
  const std::uint8_t* take(std::size_t n);
  void check_left(std::uint64_t count, std::size_t size) const;
  const Bytes& bytes_;
  std::size_t at_ = 0;
};

// How a command's experiment results travel: encode(i, w) writes experiment i's stored
// result; decode(i, r) reads one into experiment i's place. Called under the runner's
// lock, like the store step.
struct ResultCodec {
  std::function<void(std::size_t, ByteWriter&)> encode;
  std::function<void(std::size_t, ByteReader&)> decode;
};

}  // namespace accsim
