#include "arch/number_format.h"

#include <stdexcept>

namespace accsim {

std::string to_string(DataType t) {
  switch (t) {
    case DataType::fp32: return "fp32";
  }
  return "?";
}

DataType parse_datatype(const std::string& name) {
  if (name == "fp32") return DataType::fp32;
  throw std::invalid_argument("unknown datatype \"" + name + "\" (supported: fp32)");
}

int bit_width(DataType t) {
  switch (t) {
    case DataType::fp32: return 32;
  }
  return 0;
}

int bytes_per_element(DataType t) { return bit_width(t) / 8; }

}  // namespace accsim
