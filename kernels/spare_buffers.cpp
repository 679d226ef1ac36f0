#include "kernels/spare_buffers.h"

#include <algorithm>
#include <deque>
#include <utility>

namespace accsim {

namespace {

struct Spares {
  std::deque<std::vector<float>> buffers;  // oldest first
  std::size_t bytes = 0;
};

Spares& spares() {
  thread_local Spares s;
  return s;
}

std::size_t bytes_of(const std::vector<float>& v) { return v.size() * sizeof(float); }

}  // namespace

Tensor unfilled_tensor(std::vector<int> shape) {
  std::size_t n = 1;
  for (int d : shape) n *= d < 0 ? 0 : static_cast<std::size_t>(d);  // a negative dim: Tensor's own error below
  Spares& s = spares();
  const auto it = std::find_if(s.buffers.rbegin(), s.buffers.rend(), [n](const auto& b) { return b.size() == n; });
  if (n < kMinSpareElements || it == s.buffers.rend()) return Tensor(std::move(shape));
  Tensor t;
  t.values() = std::move(*it);
  s.bytes -= bytes_of(t.values());
  s.buffers.erase(std::next(it).base());
  return std::move(t).reshaped(std::move(shape));
}

void recycle_tensor(Tensor&& t) {
  std::vector<float> buffer = std::move(t.values());
  t = Tensor();
  if (buffer.size() < kMinSpareElements || bytes_of(buffer) > kSpareBytes) return;
  Spares& s = spares();
  s.bytes += bytes_of(buffer);
  s.buffers.push_back(std::move(buffer));
  while (s.bytes > kSpareBytes || s.buffers.size() > kMaxSpares) {
    s.bytes -= bytes_of(s.buffers.front());
    s.buffers.pop_front();
  }
}

void release_spare_buffers() { spares() = Spares(); }

std::size_t spare_bytes() { return spares().bytes; }

}  // namespace accsim
