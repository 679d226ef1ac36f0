#include "workloads/io/results_file.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/input_error.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

// Each test gets a fresh directory, so directory listings prove what was (not) left behind.
class ResultsFileTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("accsim_results_file_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(dir_, ec);
  }

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  std::vector<std::string> directory_entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_))
      names.push_back(e.path().filename().string());
    return names;
  }

  fs::path dir_;
};

Tensor ramp(std::vector<int> shape, float scale) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i % 1000) * scale - 3.0f;
  return t;
}

void expect_same_tensor(const Tensor& expected, const Tensor& actual) {
  ASSERT_EQ(expected.shape(), actual.shape());
  ASSERT_EQ(expected.values(), actual.values());  // bit-exact: fp32 is stored as fp32
}

// Expects fn to throw InputError whose message contains every one of `parts`.
template <typename Fn>
void expect_input_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const std::string& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

TEST_F(ResultsFileTest, TensorRoundTripsWithShapeAndExactValuesUnderAutoCreatedGroups) {
  const Tensor t = ramp({2, 3, 4, 5}, 0.125f);
  {
    ResultsFile out(file("r.h5"));
    out.write_tensor("/layers/conv1/golden_output", t);
    out.write_tensor("layers/conv2/output", ramp({7}, 1.5f));  // relative path = from root
    out.commit();
  }
  expect_same_tensor(t, read_tensor(file("r.h5"), "/layers/conv1/golden_output"));
  expect_same_tensor(ramp({7}, 1.5f), read_tensor(file("r.h5"), "/layers/conv2/output"));
}

TEST_F(ResultsFileTest, LargeTensorOver64KiBRoundTripsChunkedAndGzipCompressed) {
  const Tensor big = ramp({16, 8, 32, 32}, 0.5f);  // 512 KiB of fp32, compressible ramp
  const Tensor small = ramp({4, 4}, 1.0f);
  {
    ResultsFile out(file("big.h5"));
    out.write_tensor("big", big);
    out.write_tensor("small", small);
    out.commit();
  }
  expect_same_tensor(big, read_tensor(file("big.h5"), "big"));

  const H5::H5File f(file("big.h5"), H5F_ACC_RDONLY);
  const H5::DSetCreatPropList big_plist = f.openDataSet("big").getCreatePlist();
  EXPECT_EQ(big_plist.getLayout(), H5D_CHUNKED);
  ASSERT_EQ(big_plist.getNfilters(), 1);
  unsigned flags = 0;
  std::size_t n_values = 1;
  unsigned level = 0;
  unsigned config = 0;
  char name[32];
  EXPECT_EQ(big_plist.getFilter(0, flags, n_values, &level, sizeof(name), name, config), H5Z_FILTER_DEFLATE);
  EXPECT_EQ(level, 4u);
  EXPECT_LT(fs::file_size(file("big.h5")), big.size() * sizeof(float) / 2);
  EXPECT_EQ(f.openDataSet("small").getCreatePlist().getLayout(), H5D_CONTIGUOUS);
}

TEST_F(ResultsFileTest, NumericArraysRoundTripWithTheirTypesAndDims) {
  const std::vector<double> doubles = {0.1, -2.5e300, std::numeric_limits<double>::denorm_min(),
                                       std::numeric_limits<double>::infinity()};
  const std::vector<std::int64_t> int64s = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                            std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::uint32_t> uint32s = {0, 1, 2, 3, 4, 0xFFFFFFFFu};
  const std::vector<std::uint8_t> uint8s = {0, 7, 255, 128};
  const std::vector<float> floats = {1, 2, 3, 4, 5, 6};
  {
    ResultsFile out(file("n.h5"));
    out.write_doubles("stats/d", doubles);
    out.write_int64s("stats/i", int64s);
    out.write_uint32s("raw/u32", uint32s, {2, 3});
    out.write_uint8s("raw/u8", uint8s, {2, 1, 2});
    out.write_floats("raw/f", floats, {3, 2});
    out.commit();
  }
  EXPECT_EQ(read_doubles(file("n.h5"), "stats/d"), doubles);
  EXPECT_EQ(read_int64s(file("n.h5"), "/stats/i"), int64s);
  const Tensor f = read_tensor(file("n.h5"), "raw/f");
  EXPECT_EQ(f.shape(), (std::vector<int>{3, 2}));
  EXPECT_EQ(f.values(), floats);

  const H5::H5File h5(file("n.h5"), H5F_ACC_RDONLY);
  const H5::DataSet u32 = h5.openDataSet("raw/u32");
  EXPECT_TRUE(u32.getDataType() == H5::PredType::STD_U32LE);
  hsize_t dims[3] = {};
  EXPECT_EQ(u32.getSpace().getSimpleExtentDims(dims), 2);
  EXPECT_EQ(dims[0], 2u);
  EXPECT_EQ(dims[1], 3u);
  std::vector<std::uint32_t> u32_back(uint32s.size());
  u32.read(u32_back.data(), H5::PredType::NATIVE_UINT32);
  EXPECT_EQ(u32_back, uint32s);

  const H5::DataSet u8 = h5.openDataSet("raw/u8");
  EXPECT_TRUE(u8.getDataType() == H5::PredType::STD_U8LE);
  EXPECT_EQ(u8.getSpace().getSimpleExtentNdims(), 3);
  std::vector<std::uint8_t> u8_back(uint8s.size());
  u8.read(u8_back.data(), H5::PredType::NATIVE_UINT8);
  EXPECT_EQ(u8_back, uint8s);
}

TEST_F(ResultsFileTest, EmptyArraysRoundTripAsEmpty) {
  {
    ResultsFile out(file("e.h5"));
    out.write_doubles("d", {});
    out.write_int64s("i", {});
    out.write_strings("s", {});
    out.commit();
  }
  EXPECT_TRUE(read_doubles(file("e.h5"), "d").empty());
  EXPECT_TRUE(read_int64s(file("e.h5"), "i").empty());
  EXPECT_TRUE(read_strings(file("e.h5"), "s").empty());
}

TEST_F(ResultsFileTest, StringsRoundTripAsFixedLengthUtf8IncludingEmptyStrings) {
  const std::vector<std::string> names = {"conv1", "", "µ-layer ✓", std::string(1000, 'x')};
  {
    ResultsFile out(file("s.h5"));
    out.write_strings("meta/layer_names", names);
    out.set_attribute("meta", "empty", "");
    out.commit();
  }
  EXPECT_EQ(read_strings(file("s.h5"), "meta/layer_names"), names);
  EXPECT_EQ(read_string_attribute(file("s.h5"), "meta", "empty"), "");
  const H5::H5File h5(file("s.h5"), H5F_ACC_RDONLY);
  const H5::StrType type = h5.openDataSet("meta/layer_names").getStrType();
  EXPECT_FALSE(type.isVariableStr());  // no heap for a damaged byte to send libhdf5 astray
  EXPECT_EQ(type.getSize(), 1000u);    // the longest
  EXPECT_EQ(type.getStrpad(), H5T_STR_NULLPAD);
  EXPECT_EQ(type.getCset(), H5T_CSET_UTF8);
}

TEST_F(ResultsFileTest, AttributesRoundTripOnRootGroupsAndDatasetsAndLastWriteWins) {
  {
    ResultsFile out(file("a.h5"));
    out.write_doubles("layers/conv1/sdc_rate", {0.5});
    out.set_attribute("/", "accsim_version", std::string("0.1.0"));
    out.set_attribute("/", "seed", std::int64_t{-42});
    out.set_attribute("layers/conv1/sdc_rate", "confidence", 0.95);
    out.set_attribute("campaign/config", "mode", "exhaustive");  // creates the group
    out.set_attribute("campaign/config", "injections", std::size_t{1000});
    out.set_attribute("campaign/config", "layers", 3);  // plain int must not be ambiguous
    out.set_attribute("campaign/config", "mode", "sampled");
    out.commit();
  }
  EXPECT_EQ(read_string_attribute(file("a.h5"), "/", "accsim_version"), "0.1.0");
  EXPECT_EQ(read_int64_attribute(file("a.h5"), "/", "seed"), -42);
  EXPECT_EQ(read_double_attribute(file("a.h5"), "layers/conv1/sdc_rate", "confidence"), 0.95);
  EXPECT_EQ(read_string_attribute(file("a.h5"), "/campaign/config", "mode"), "sampled");
  EXPECT_EQ(read_int64_attribute(file("a.h5"), "campaign/config", "injections"), 1000);
  EXPECT_EQ(read_double_attribute(file("a.h5"), "campaign/config", "layers"), 3.0);
  EXPECT_FALSE(dataset_exists(file("a.h5"), "campaign/config"));  // a group, not a dataset
}

TEST_F(ResultsFileTest, TableRoundTripsWithColumnOrderTypesAndUnits) {
  Table t({{"layer_index", CellType::integer, ""}, {"sdc_rate", CellType::real, "fraction"},
           {"cycles", CellType::integer, "cycles"}, {"name", CellType::text, ""}});
  t.add_row({0, 0.1, 1200, "conv1"});
  t.add_row({1, 0.25, (std::int64_t{1} << 53) | 1, "fc1"});  // beyond double's integers: stored exactly
  {
    ResultsFile out(file("t.h5"));
    out.write_table("/summary/per_layer", t);
    out.commit();
  }
  const std::string f = file("t.h5");
  EXPECT_EQ(read_int64s(f, "summary/per_layer/layer_index"), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(read_int64s(f, "summary/per_layer/cycles"), (std::vector<std::int64_t>{1200, (std::int64_t{1} << 53) | 1}));
  EXPECT_EQ(read_doubles(f, "summary/per_layer/sdc_rate"), (std::vector<double>{0.1, 0.25}));
  EXPECT_EQ(read_strings(f, "summary/per_layer/name"), (std::vector<std::string>{"conv1", "fc1"}));
  EXPECT_EQ(read_string_attribute(f, "summary/per_layer/sdc_rate", "units"), "fraction");
  EXPECT_EQ(read_string_attribute(f, "summary/per_layer/cycles", "units"), "cycles");
  EXPECT_THROW(read_string_attribute(f, "summary/per_layer/layer_index", "units"), InputError);  // no units: none
  EXPECT_THROW(read_doubles(f, "summary/per_layer/cycles"), InputError);  // an integer dataset, not a float one
}

TEST_F(ResultsFileTest, ReadTableGivesNumericColumnsInStoredOrderAsDoubles) {
  Table t({{"bit", CellType::integer, ""}, {"sdc_rate", CellType::real, "fraction"}});
  t.add_row({31, 0.5});
  t.add_row({30, 0.0});
  {
    ResultsFile out(file("t.h5"));
    out.write_table("t", t);
    out.commit();
  }
  const ResultsTable table = read_table(file("t.h5"), "t");
  EXPECT_EQ(table.column_names, (std::vector<std::string>{"bit", "sdc_rate"}));
  EXPECT_EQ(table.columns, (std::vector<std::vector<double>>{{31, 30}, {0.5, 0.0}}));
}

TEST_F(ResultsFileTest, TableWithASlashInAColumnNameIsRejectedBeforeWriting) {
  ResultsFile out(file("t.h5"));
  EXPECT_THROW(out.write_table("t", Table({{"a/b", CellType::real, ""}})), std::invalid_argument);
  out.write_table("t", Table({{"a", CellType::real, ""}}));  // nothing of the rejected table was created
  out.commit();
  EXPECT_EQ(read_table(file("t.h5"), "t").column_names, std::vector<std::string>{"a"});
}

TEST_F(ResultsFileTest, NothingReachesTheDiskBeforeCommitAndTheTargetExistsAfter) {
  ResultsFile out(file("r.h5"));
  EXPECT_EQ(out.path(), file("r.h5"));
  out.write_doubles("x", {1.0});
  EXPECT_TRUE(directory_entries().empty());  // a kill now leaves nothing behind
  out.commit();
  EXPECT_TRUE(out.committed());
  EXPECT_TRUE(fs::exists(file("r.h5")));
  EXPECT_EQ(directory_entries(), std::vector<std::string>{"r.h5"});
  EXPECT_EQ(read_doubles(file("r.h5"), "x"), std::vector<double>{1.0});
}

TEST_F(ResultsFileTest, DestroyWithoutCommitRemovesTemporaryAndKeepsExistingTargetUntouched) {
  {
    ResultsFile first(file("r.h5"));
    first.write_doubles("old", {1.0, 2.0});
    first.commit();
  }
  const auto size_before = fs::file_size(file("r.h5"));
  try {
    ResultsFile second(file("r.h5"));
    second.write_doubles("new", {3.0});
    throw std::runtime_error("simulation failed");  // unwinds without commit()
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(directory_entries(), std::vector<std::string>{"r.h5"});
  EXPECT_EQ(fs::file_size(file("r.h5")), size_before);
  EXPECT_EQ(read_doubles(file("r.h5"), "old"), (std::vector<double>{1.0, 2.0}));
  EXPECT_FALSE(dataset_exists(file("r.h5"), "new"));
}

TEST_F(ResultsFileTest, DestroyWithoutCommitLeavesNoFileWhenThereWasNoTarget) {
  {
    ResultsFile out(file("r.h5"));
    out.write_tensor("t", ramp({100, 200}, 1.0f));
  }
  EXPECT_TRUE(directory_entries().empty());
}

TEST_F(ResultsFileTest, CommitReplacesAnExistingTarget) {
  for (double v : {1.0, 2.0}) {
    ResultsFile out(file("r.h5"));
    out.write_doubles("v", {v});
    out.commit();
  }
  EXPECT_EQ(read_doubles(file("r.h5"), "v"), std::vector<double>{2.0});
}

TEST_F(ResultsFileTest, MissingDirectoryIsAnInputErrorNamingThePath) {
  const std::string target = file("no_such_dir/r.h5");
  expect_input_error([&] { ResultsFile out(target); }, {target, "does not exist"});
}

TEST_F(ResultsFileTest, ParentThatIsARegularFileIsAnInputErrorNamingThePath) {
  std::ofstream(file("plain")) << "x";
  const std::string target = file("plain/r.h5");
  expect_input_error([&] { ResultsFile out(target); }, {target});
}

TEST_F(ResultsFileTest, UnwritableDirectoryIsAnInputErrorNamingThePath) {
  fs::create_directory(dir_ / "ro");
  fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  if (::access((dir_ / "ro").c_str(), W_OK) == 0) GTEST_SKIP() << "running with permission override (root)";
  const std::string target = file("ro/r.h5");
  expect_input_error([&] { ResultsFile out(target); }, {target, "not writable"});
  EXPECT_TRUE(fs::is_empty(dir_ / "ro"));
}

TEST_F(ResultsFileTest, ATargetThatIsADirectoryIsAnInputErrorAndStays) {
  const std::string target = file("r.h5");
  fs::create_directory(target);
  expect_input_error([&] { ResultsFile out(target); }, {target, "it is a directory"});
  EXPECT_TRUE(fs::is_directory(target));
}

TEST_F(ResultsFileTest, SecondWriterForTheSameTargetIsRefusedAndFirstStillCommits) {
  ResultsFile first(file("r.h5"));
  first.write_doubles("x", {1.0});
  EXPECT_THROW(ResultsFile(dir_.string() + "/./r.h5"), std::logic_error);
  first.commit();
  EXPECT_EQ(read_doubles(file("r.h5"), "x"), std::vector<double>{1.0});
  ResultsFile again(file("r.h5"));  // the claim ends with the commit
}

TEST_F(ResultsFileTest, ReadingAMissingDatasetIsAnInputErrorNamingFileAndDataset) {
  {
    ResultsFile out(file("r.h5"));
    out.write_doubles("layers/conv1/x", {1.0});
    out.commit();
  }
  const std::string f = file("r.h5");
  expect_input_error([&] { read_tensor(f, "layers/conv1/y"); }, {f, "/layers/conv1/y"});
  expect_input_error([&] { read_doubles(f, "no/such/group/x"); }, {f, "/no/such/group/x"});
  expect_input_error([&] { read_int64s(f, "layers/conv1"); }, {f, "/layers/conv1"});  // a group
  expect_input_error([&] { read_doubles(f, "layers/conv1/x/deeper"); }, {f, "/layers/conv1/x/deeper"});
  expect_input_error([&] { read_string_attribute(f, "layers", "missing"); }, {f, "missing", "/layers"});
  expect_input_error([&] { read_int64_attribute(f, "nowhere", "a"); }, {f, "/nowhere"});
}

TEST_F(ResultsFileTest, ReadingAWrongTypeOrRankIsAnInputError) {
  {
    ResultsFile out(file("r.h5"));
    out.write_doubles("d", {1.0});
    out.write_uint8s("m", {1, 2, 3, 4}, {2, 2});
    out.set_attribute("/", "s", "text");
    out.commit();
  }
  const std::string f = file("r.h5");
  expect_input_error([&] { read_int64s(f, "d"); }, {f, "/d", "floating-point"});
  expect_input_error([&] { read_tensor(f, "m"); }, {f, "/m", "integers"});
  expect_input_error([&] { read_int64s(f, "m"); }, {f, "/m", "rank 2"});
  expect_input_error([&] { read_double_attribute(f, "/", "s"); }, {f, "'s'"});
}

TEST_F(ResultsFileTest, ReadingANonHdf5FileIsAnInputErrorNamingTheFile) {
  const std::string f = file("notes.txt");
  std::ofstream(f) << "this is not HDF5\n";
  expect_input_error([&] { read_tensor(f, "x"); }, {f, "not an HDF5 file"});
  expect_input_error([&] { dataset_exists(f, "x"); }, {f, "not an HDF5 file"});
  expect_input_error([&] { read_doubles(file("absent.h5"), "x"); }, {file("absent.h5"), "does not exist"});
}

TEST_F(ResultsFileTest, FailuresPrintNoHdf5ErrorStack) {
  std::ofstream(file("notes.txt")) << "junk";
  {
    ResultsFile out(file("r.h5"));
    out.write_doubles("d", {1.0});
    out.commit();
  }
  testing::internal::CaptureStderr();
  EXPECT_THROW(read_tensor(file("notes.txt"), "x"), InputError);
  EXPECT_THROW(read_tensor(file("r.h5"), "missing/x"), InputError);
  EXPECT_THROW(ResultsFile(file("missing_dir/r.h5")), InputError);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST_F(ResultsFileTest, DatasetExistsOnlyForDatasets) {
  {
    ResultsFile out(file("r.h5"));
    out.write_int64s("a/b/c", {1});
    out.commit();
  }
  EXPECT_TRUE(dataset_exists(file("r.h5"), "a/b/c"));
  EXPECT_TRUE(dataset_exists(file("r.h5"), "/a/b/c"));
  EXPECT_FALSE(dataset_exists(file("r.h5"), "a/b"));
  EXPECT_FALSE(dataset_exists(file("r.h5"), "a/x/c"));
  EXPECT_FALSE(dataset_exists(file("r.h5"), "a/b/c/d"));
}

TEST_F(ResultsFileTest, CallerBugsAreLogicErrorsNotInputErrors) {
  ResultsFile out(file("r.h5"));
  out.write_doubles("x", {1.0});
  EXPECT_THROW(out.write_doubles("x", {2.0}), std::invalid_argument);             // no silent overwrite
  EXPECT_THROW(out.write_doubles("x/y", {2.0}), std::invalid_argument);           // parent is a dataset
  EXPECT_THROW(out.write_floats("f", {1, 2, 3}, {2, 2}), std::invalid_argument);  // dims mismatch
  EXPECT_THROW(out.write_uint8s("u", {1}, {}), std::invalid_argument);            // no dims
  EXPECT_THROW(out.write_tensor("t", Tensor(std::vector<int>{})), std::invalid_argument);  // rank 0
  EXPECT_THROW(out.write_strings("s", {std::string("a\0b", 3)}), std::invalid_argument);
  EXPECT_THROW(out.write_doubles("/", {1.0}), std::invalid_argument);
  out.commit();
  EXPECT_THROW(out.write_doubles("y", {1.0}), std::logic_error);
  EXPECT_THROW(out.commit(), std::logic_error);
  EXPECT_EQ(read_doubles(file("r.h5"), "x"), std::vector<double>{1.0});
}

}  // namespace
}  // namespace accsim
