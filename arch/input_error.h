#pragma once
// Every problem with user input (config files, datasets, error-model files) is reported
// with an InputError: the CLI prints its one-line message and exits with code 2.
#include <stdexcept>
#include <string>

namespace accsim {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace accsim
