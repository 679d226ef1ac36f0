#pragma once
// What every sweep test needs: a fresh folder, a config written into it and parsed as the
// CLI would, the InputError text of a bad one, and options writing into the folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "workloads/run/run_config.h"
#include "workloads/sweep/sweep.h"

namespace accsim::testing {

class SweepFixture : public ::testing::Test {
 protected:
  RunConfig config(const nlohmann::json& j) const {
    const std::string file = dir_.file("sweep.json");
    std::ofstream(file) << j.dump(2);
    return parse_run_config(file);
  }
  std::string error_of(const nlohmann::json& j) const {
    try {
      parse_sweep(config(j));
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  SweepOptions options(const std::string& name) const {
    SweepOptions o;
    o.out_file = dir_.file(name + ".h5");
    o.plot = false;
    return o;
  }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  TempDir dir_;
};

}  // namespace accsim::testing
