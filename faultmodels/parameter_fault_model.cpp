#include "faultmodels/parameter_fault_model.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace accsim {

namespace {
const char* const kNames[] = {"sbf", "mbf", "mbbf", "ber", "value", nullptr};

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}
}  // namespace

std::string to_string(ParameterFaultKind k) { return kNames[static_cast<int>(k)]; }

const char* const* parameter_fault_kind_names() { return kNames; }

ParameterFaultKind parse_parameter_fault_kind(const std::string& name) {
  for (int i = 0; kNames[i]; ++i)
    if (name == kNames[i]) return static_cast<ParameterFaultKind>(i);
  throw std::invalid_argument("unknown parameter fault model \"" + name + "\" (sbf, mbf, mbbf, ber, value)");
}

void ParameterFaultModel::validate() const {
  switch (kind) {
    case ParameterFaultKind::sbf: break;
    case ParameterFaultKind::mbf:
    case ParameterFaultKind::mbbf:
      if (count < 1) throw std::invalid_argument(to_string(kind) + ": count must be >= 1");
      if (kind == ParameterFaultKind::mbbf && (burst_length < 2 || burst_length > 32))
        throw std::invalid_argument("mbbf: burst_length " + std::to_string(burst_length) + " is outside [2, 32]");
      break;
    case ParameterFaultKind::ber:
      if (!(rate > 0.0 && rate <= 1.0)) throw std::invalid_argument("ber: rate " + number(rate) + " is outside (0, 1]");
      break;
    case ParameterFaultKind::value:
      if (!(rate >= 0.0 && rate <= 1.0)) throw std::invalid_argument("value: rate " + number(rate) + " is outside [0, 1]");
      if (rate == 0.0 && count < 1) throw std::invalid_argument("value: give a rate in (0, 1] or a count >= 1");
      if (!std::isfinite(value_lo) || !std::isfinite(value_hi) || value_lo > value_hi)
        throw std::invalid_argument("value: range [" + number(value_lo) + ", " + number(value_hi) +
                                    "] is not a finite interval");
      break;
  }
}

std::string ParameterFaultModel::describe() const {
  switch (kind) {
    case ParameterFaultKind::sbf: return "sbf";
    case ParameterFaultKind::mbf: return "mbf " + std::to_string(count);
    case ParameterFaultKind::mbbf: return "mbbf " + std::to_string(count) + "x" + std::to_string(burst_length);
    case ParameterFaultKind::ber: return "ber " + number(rate);
    case ParameterFaultKind::value:
      return "value " + (rate > 0.0 ? number(rate) : std::to_string(count)) + " in [" + number(value_lo) + ", " +
             number(value_hi) + "]";
  }
  return "?";
}

}  // namespace accsim
