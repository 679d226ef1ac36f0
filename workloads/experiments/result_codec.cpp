#include "workloads/experiments/result_codec.h"

#include <stdexcept>

namespace accsim {

void ByteWriter::put_string(const std::string& s) {
  put(static_cast<std::uint64_t>(s.size()));
  bytes_.insert(bytes_.end(), s.begin(), s.end());
}

std::string ByteReader::get_string() {
  const auto n = static_cast<std::size_t>(get<std::uint64_t>());
  const auto* p = reinterpret_cast<const char*>(take(n));
  return std::string(p, p + n);
}

void ByteReader::expect_end() const {
  if (at_ != bytes_.size())
    throw std::runtime_error("result message: " + std::to_string(bytes_.size() - at_) + " bytes left unread");
}

void ByteReader::check_left(std::uint64_t count, std::size_t size) const {
  if (count > (bytes_.size() - at_) / size)
    throw std::runtime_error("result message: " + std::to_string(count) + " values wanted, " +
                             std::to_string(bytes_.size() - at_) + " bytes left");
}

const std::uint8_t* ByteReader::take(std::size_t n) {
  if (n > bytes_.size() - at_)
    throw std::runtime_error("result message: " + std::to_string(n) + " bytes wanted, " +
                             std::to_string(bytes_.size() - at_) + " left");
  const std::uint8_t* p = bytes_.data() + at_;
  at_ += n;
  return p;
}

}  // namespace accsim
