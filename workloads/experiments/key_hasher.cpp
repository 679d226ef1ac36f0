#include "workloads/experiments/key_hasher.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace accsim {

void KeyHasher::bytes(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < n; ++i) {
    h_ ^= p[i];
    h_ *= 1099511628211ULL;
  }
}

void KeyHasher::f64(double v) {
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  u64(u);
}

void KeyHasher::str(const std::string& s) {
  u64(s.size());
  bytes(s.data(), s.size());
}

void KeyHasher::tensor(const Tensor& t) {
  u64(t.rank());
  for (int d : t.shape()) i64(d);
  bytes(t.data(), t.size() * sizeof(float));
}

void KeyHasher::array(const ArrayConfig& a) {
  i64(a.atomic_c);
  i64(a.atomic_k);
  str(to_string(a.datatype));
  i64(a.stripe_length);
  i64(a.weight_load_bytes_per_cycle);
  i64(a.cbuf_bytes);
  i64(a.mac_pipeline_depth);
  f64(a.clock_mhz);
  str(to_string(a.swizzle));
  const MemoryConfig& m = a.memory;  // the memory side changes timing; absent, keys stay as before it existed
  if (!m.enabled) return;
  for (int v : {m.cbuf_banks, m.cbuf_bank_entries, m.cbuf_entry_bytes, m.memory_atomic_bytes,
                m.cbuf_read_bytes_per_cycle, m.dram_bytes_per_cycle, m.dram_latency_cycles, m.dram_row_bytes,
                m.dram_row_miss_cycles, m.sdp_elements_per_cycle, m.pdp_elements_per_cycle})
    i64(v);
}

void KeyHasher::network(const Network& net) {
  str(net.name);
  i64(net.channels);
  i64(net.height);
  i64(net.width);
  u64(net.layers.size());
  for (const LayerSpec& l : net.layers) {
    str(l.name);
    i64(static_cast<int>(l.kind));
    for (int v : {l.in_channels, l.out_channels, l.kernel, l.stride, l.pad, l.relu ? 1 : 0, l.pool}) i64(v);
  }
  i64(static_cast<int>(net.clip.mode));
  f64(net.clip.threshold);
}

void KeyHasher::mitigations(const MitigationConfig& m) {
  i64(static_cast<int>(m.clip.mode));
  f64(m.clip.threshold);
  i64(static_cast<int>(m.check));
  i64(m.prune_faulty_weights ? 1 : 0);
  u64(m.protect_bits.size());
  for (int b : m.protect_bits) i64(b);
}

void KeyHasher::parameters(const NetworkParameters& p) {
  u64(p.weights.size());
  for (const Tensor& t : p.weights) tensor(t);
  for (const Tensor& t : p.biases) tensor(t);
}

void KeyHasher::labelled_images(const Tensor& images, const std::vector<int>& labels) {
  tensor(images);
  u64(labels.size());
  for (int l : labels) i64(l);
}

void KeyHasher::file(const std::string& path) {
  enum : std::uint64_t { missing = 0, unreadable = 1, contents = 2 };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return u64(missing);
  std::ifstream in(path, std::ios::binary);
  if (!in || !std::filesystem::is_regular_file(path, ec)) return u64(unreadable);
  u64(contents);
  std::vector<char> buf(1 << 16);
  std::uint64_t size = 0;
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
    bytes(buf.data(), static_cast<std::size_t>(in.gcount()));
    size += static_cast<std::uint64_t>(in.gcount());
  }
  u64(in.bad() ? unreadable : size);
}

std::string KeyHasher::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h_));
  return buf;
}

}  // namespace accsim
