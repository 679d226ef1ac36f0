// Parameter files from elsewhere (a damaged download, a hand-made file): the shapes are
// checked before any data is read, so a small file cannot make accsim allocate without
// bound.
#include "workloads/models/model_file.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "arch/input_error.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

TEST(ModelFile, AWeightDeclaringTwoToTheFortyElementsIsRefusedByItsShapeBeforeReading) {
  const std::string file = (fs::temp_directory_path() / ("accsim_huge_model_" + std::to_string(::getpid()) + ".h5")).string();
  {
    const H5::H5File h5(file, H5F_ACC_TRUNC);
    const H5::Group g = h5.createGroup("/parameters");
    const H5::StrType name_type(H5::PredType::C_S1, 6);
    g.createAttribute("network", name_type, H5::DataSpace(H5S_SCALAR)).write(name_type, "lenet5");
    h5.createGroup("/parameters/conv1");
    const hsize_t dims[4] = {1ULL << 20, 1ULL << 20, 1, 1}, chunk[4] = {1, 1024, 1, 1}, bias = 6;
    H5::DSetCreatPropList plist;
    plist.setChunk(4, chunk);  // never written: the 2^40 elements read as the fill value
    h5.createDataSet("/parameters/conv1/weight", H5::PredType::IEEE_F32LE, H5::DataSpace(4, dims), plist);
    h5.createDataSet("/parameters/conv1/bias", H5::PredType::IEEE_F32LE, H5::DataSpace(1, &bias));
  }
  EXPECT_LT(fs::file_size(file), 64u * 1024);
  try {
    read_parameters(file, lenet5());
    FAIL() << "a [2^20,2^20,1,1] conv1 weight was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(file + ": /parameters/conv1 has shapes [1048576,1048576,1,1] / [6], the "
                                                "network needs [6,1,5,5] / [6]"),
              std::string::npos)
        << e.what();
  }
  fs::remove(file);
}

}  // namespace
}  // namespace accsim
