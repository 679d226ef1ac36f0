#pragma once
// The resume keys of checkpoints: FNV-1a (64 bits) over everything a run's results
// depend on (and nothing else: not thread counts). Every field is length- or
// type-delimited, so that no two different sequences of fields hash the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "workloads/mitigations/mitigation_config.h"
#include "workloads/models/network.h"

namespace accsim {

class KeyHasher {
 public:
  void bytes(const void* data, std::size_t n);
  void u64(std::uint64_t v) { bytes(&v, sizeof v); }
  void i64(long long v) { u64(static_cast<std::uint64_t>(v)); }
  void f64(double v);
  void str(const std::string& s);
  void tensor(const Tensor& t);
  void array(const ArrayConfig& a);  // every key that decides results or cycles
  void network(const Network& net);  // shapes, activations and clipping
  void mitigations(const MitigationConfig& m);
  void parameters(const NetworkParameters& p);
  void labelled_images(const Tensor& images, const std::vector<int>& labels);
  // The bytes of an input file (a model, a topology, a dataset file), or a marker when it
  // is missing or cannot be read: a changed input changes the key.
  void file(const std::string& path);
  std::string hex() const;  // 16 hex digits

 private:
  std::uint64_t h_ = 14695981039346656037ULL;
};

}  // namespace accsim
