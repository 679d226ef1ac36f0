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
  // A field of a record: a vector with its length, anything else as its bytes.
  template <typename T>
  void put_field(const T& value) {
    put(value);
  }
  template <typename T>
  void put_field(const std::vector<T>& values) {
    put_vector(values);
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
  // What put_field wrote.
  template <typename T>
  void get_field(T& value) {
    value = get<T>();
  }
  template <typename T>
  void get_field(std::vector<T>& values) {
    values = get_vector<T>();
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

// The codec of `records` whose results are the listed members, sent in that order;
// decoding overwrites those members only (the others, such as a fault drawn from the
// seed on every rank, stay as the receiving rank planned them).
template <typename Record, typename... Members>
ResultCodec member_codec(std::vector<Record>& records, Members Record::*... members) {
  return {[&records, members...](std::size_t i, ByteWriter& w) {
            const Record& e = records.at(i);
            (w.put_field(e.*members), ...);
          },
          [&records, members...](std::size_t i, ByteReader& r) {
            Record& e = records.at(i);
            (r.get_field(e.*members), ...);
          }};
}

}  // namespace accsim
