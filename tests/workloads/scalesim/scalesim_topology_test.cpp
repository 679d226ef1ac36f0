#include "workloads/scalesim/scalesim_topology.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arch/analytical_cycles.h"
#include "arch/input_error.h"
#include "arch/job_timing.h"
#include "scoped_env.h"
#include "test_util.h"
#include "workloads/io/memory_limit.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
const std::string kGemmHeader = "Layer Name, M, N, K,\n";

std::string shipped(const std::string& name) {
  return std::string(ACCSIM_SOURCE_DIR) + "/configs/topologies/" + name;
}

// Expects parsing `text` (as "topo.csv") to throw an InputError containing every one of `parts`.
void expect_error(const std::string& text, const std::vector<std::string>& parts) {
  try {
    parse_scalesim_topology_text(text, "topo.csv");
    ADD_FAILURE() << "expected InputError for:\n" << text;
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind("topo.csv: ", 0), 0u) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

// A NUL byte in a layer name once reached the results file's writer, which refused it as
// an internal error (exit 1; found by Fuzz.MutatedTopologies).
TEST(ScaleSimTopology, ANulByteIsAnInputErrorNamingItsLine) {
  const std::string header = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
  expect_error(header + "Con" + std::string(1, '\0') + "1, 28, 28, 3, 3, 1, 8, 1,\n", {"line 2", "a NUL byte"});
  expect_error(header + "Conv1, 28, 28, 3, 3, 1, 8, 1,\n" + std::string(1, '\0'), {"line 3", "a NUL byte"});
}

TEST(ScaleSimTopology, ShippedAlexNetParsesToFiveUnpaddedConvJobsWithAlexNetOutputSizes) {
  const Topology t = parse_scalesim_topology(shipped("alexnet_conv.csv"));
  EXPECT_EQ(t.name, "alexnet_conv");
  EXPECT_EQ(t.format, TopologyFormat::conv);
  ASSERT_EQ(t.layers.size(), 5u);
  const std::vector<std::string> names = {"Conv1", "Conv2", "Conv3", "Conv4", "Conv5"};
  const std::vector<int> channels = {3, 96, 256, 384, 384}, filters = {96, 256, 384, 384, 256};
  const std::vector<int> out_side = {55, 27, 13, 13, 13};  // AlexNet's feature maps
  for (std::size_t i = 0; i < 5; ++i) {
    const ConvJob& j = t.layers[i];
    EXPECT_EQ(j.layer, names[i]);
    EXPECT_EQ(j.kind, JobKind::forward_conv);
    EXPECT_EQ(j.swizzle_seed, i);
    EXPECT_EQ(j.shape.n, 1);
    EXPECT_EQ(j.shape.pad, 0);
    EXPECT_EQ(j.shape.c, channels[i]);
    EXPECT_EQ(j.shape.k, filters[i]);
    EXPECT_EQ(j.shape.p(), out_side[i]);
    EXPECT_EQ(j.shape.q(), out_side[i]);
    EXPECT_NO_THROW(j.shape.validate());
  }
  EXPECT_EQ(t.layers[0].shape.r, 11);
  EXPECT_EQ(t.layers[0].shape.stride, 4);
  EXPECT_EQ(t.layers[0].shape.macs(), 55LL * 55 * 96 * 3 * 11 * 11);
  EXPECT_EQ(t.layers[1].shape.r, 5);
  EXPECT_EQ(t.layers[4].shape.s, 3);
}

TEST(ScaleSimTopology, ShippedGemmParsesToFcJobsWithBatchMInputChannelsKOutputChannelsN) {
  const Topology t = parse_scalesim_topology(shipped("small_gemm.csv"));
  EXPECT_EQ(t.name, "small_gemm");
  EXPECT_EQ(t.format, TopologyFormat::gemm);
  ASSERT_EQ(t.layers.size(), 3u);
  const ConvJob& proj = t.layers[0];  // proj, M 256, N 128, K 512
  EXPECT_EQ(proj.layer, "proj");
  EXPECT_EQ(proj.kind, JobKind::forward_fc);
  EXPECT_EQ(proj.shape.n, 256);
  EXPECT_EQ(proj.shape.c, 512);
  EXPECT_EQ(proj.shape.k, 128);
  EXPECT_EQ(proj.shape.h * proj.shape.w * proj.shape.r * proj.shape.s, 1);
  EXPECT_EQ(proj.shape.macs(), 256LL * 128 * 512);  // M * N * K
  EXPECT_EQ(t.layers[1].shape.n, 1);
  EXPECT_EQ(t.layers[1].shape.k, 1000);
  EXPECT_EQ(t.layers[1].shape.c, 4096);
  EXPECT_EQ(t.layers[2].swizzle_seed, 2u);
}

// Part 4 of issue 6 on real layers: the analytical estimate against the cycle model.
TEST(ScaleSimTopology, ShippedLayersAnalyticalEstimateIsWithinOnePercentOfTheClosedFormOnBothPresets) {
  for (const char* preset : {"small", "large"}) {
    const ArrayConfig a = testing::preset(preset);
    for (const char* file : {"alexnet_conv.csv", "small_gemm.csv"}) {
      for (const ConvJob& j : parse_scalesim_topology(shipped(file)).layers) {
        const double ratio = static_cast<double>(analytical_cycles(j.shape, a).cycles) /
                             static_cast<double>(closed_form_timing(j.shape, a).cycles);
        EXPECT_GE(ratio, 1.0) << preset << " " << j.layer;
        EXPECT_LE(ratio, 1.01) << preset << " " << j.layer;
      }
    }
  }
}

TEST(ScaleSimTopology, BatchArgumentSetsNOfConvLayersButNotOfGemmLayers) {
  const Topology conv = parse_scalesim_topology(shipped("alexnet_conv.csv"), 4);
  for (const ConvJob& j : conv.layers) EXPECT_EQ(j.shape.n, 4);
  EXPECT_EQ(conv.layers[0].shape.pixels(), 4LL * 55 * 55);
  const Topology gemm = parse_scalesim_topology(shipped("small_gemm.csv"), 4);
  EXPECT_EQ(gemm.layers[0].shape.n, 256);  // M is the batch of a GEMM
  EXPECT_THROW(parse_scalesim_topology(shipped("small_gemm.csv"), 0), std::invalid_argument);
}

TEST(ScaleSimTopology, HeaderMatchesIgnoringCaseAndSpacesAndTheTrailingCommaIsOptional) {
  const Topology conv = parse_scalesim_topology_text(
      "layer NAME,ifmapheight,  IFMAP width ,Filter Height,FilterWidth,channels,NUM FILTER,strides\n"
      "  c 1 ,8,9,3,2,4,5,2\n"
      "c2,8,8,1,1,1,1,1,\n",
      "dir/net.v2.csv");
  EXPECT_EQ(conv.name, "net.v2");
  ASSERT_EQ(conv.layers.size(), 2u);
  EXPECT_EQ(conv.layers[0].layer, "c 1");  // inner spaces of a name are kept, outer ones dropped
  EXPECT_EQ(conv.layers[0].shape.h, 8);
  EXPECT_EQ(conv.layers[0].shape.w, 9);
  EXPECT_EQ(conv.layers[0].shape.r, 3);
  EXPECT_EQ(conv.layers[0].shape.s, 2);
  EXPECT_EQ(conv.layers[0].shape.c, 4);
  EXPECT_EQ(conv.layers[0].shape.k, 5);
  EXPECT_EQ(conv.layers[0].shape.stride, 2);
  EXPECT_EQ(conv.layers[0].shape.p(), 3);  // (8 - 3) / 2 + 1
  EXPECT_EQ(conv.layers[0].shape.q(), 4);  // (9 - 2) / 2 + 1

  // SCALE-Sim's own gpt2.csv: "Layer" for the first column and no trailing commas.
  const Topology gemm = parse_scalesim_topology_text("Layer,M,N,K\nQKT,1024,1024,64\n", "gpt2.csv");
  EXPECT_EQ(gemm.format, TopologyFormat::gemm);
  ASSERT_EQ(gemm.layers.size(), 1u);
  EXPECT_EQ(gemm.layers[0].shape.c, 64);
}

TEST(ScaleSimTopology, BlankAndCommaOnlyLinesCrlfAndByteOrderMarkAreSkipped) {
  const Topology t = parse_scalesim_topology_text(
      "\xEF\xBB\xBF\r\n" + kGemmHeader.substr(0, kGemmHeader.size() - 1) + "\r\n\r\n,,,,\r\nfc, 2, 3, 4,\r\n   \r\n",
      "topo.csv");
  ASSERT_EQ(t.layers.size(), 1u);
  EXPECT_EQ(t.layers[0].layer, "fc");
  EXPECT_EQ(t.layers[0].shape.n, 2);
}

TEST(ScaleSimTopology, DepthwiseDPLayerExpandsToOneSingleChannelLayerPerChannelAsInScaleSim) {
  const Topology t = parse_scalesim_topology_text(kConvHeader + "Conv1,8,8,3,3,2,4,1,\nConv2_DP,6,6,3,3,3,1,1,\n",
                                                  "mobilenet.csv");
  ASSERT_EQ(t.layers.size(), 4u);
  EXPECT_EQ(t.layers[1].layer, "Conv2_DPChannel_0");
  EXPECT_EQ(t.layers[3].layer, "Conv2_DPChannel_2");
  for (std::size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(t.layers[i].shape.c, 1);
    EXPECT_EQ(t.layers[i].shape.k, 1);
    EXPECT_EQ(t.layers[i].swizzle_seed, i);
  }
}

TEST(ScaleSimTopology, EveryMalformedNumberNamesFileLineColumnAndAllowedRange) {
  const std::vector<std::string> columns = {"IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                            "Channels",     "Num Filter",  "Strides"};
  const std::string good[] = {"9", "9", "3", "3", "4", "5", "1"};
  for (std::size_t col = 0; col < columns.size(); ++col) {
    for (const std::string bad : {"x", "0", "-2", "2.5", "", "16777217", "3e2", "99999999999999999999"}) {
      std::string row = "ok,9,9,3,3,4,5,1,\n\nL";
      for (std::size_t i = 0; i < columns.size(); ++i) row += "," + (i == col ? bad : good[i]);
      // line 1 header, 2 a good row, 3 blank, 4 the bad row
      const bool filter = columns[col].rfind("Filter", 0) == 0;
      expect_error(kConvHeader + row + ",\n",
                   {"topo.csv: line 4, column '" + columns[col] + "'",
                    std::string("expected an integer in [1, ") + (filter ? "9]" : "16777216]"), "got '" + bad + "'"});
    }
  }
  const std::vector<std::string> gemm_columns = {"M", "N", "K"};
  for (std::size_t col = 0; col < 3; ++col) {
    std::string row = "fc";
    for (std::size_t i = 0; i < 3; ++i) row += i == col ? ", zero" : ", 4";
    expect_error(kGemmHeader + row + ",\n",
                 {"line 2, column '" + gemm_columns[col] + "'", "expected an integer in [1, 16777216]", "got 'zero'"});
  }
  expect_error(kConvHeader + ",9,9,3,3,4,5,1,\n", {"line 2, column 'Layer name'", "expected a layer name"});
}

TEST(ScaleSimTopology, FilterLargerThanIfmapNamesTheFilterColumnAndTheIfmapBound) {
  expect_error(kConvHeader + "c,7,20,11,3,3,8,1,\n",
               {"line 2, column 'Filter Height'", "expected an integer in [1, 7]", "no padding", "got '11'"});
  expect_error(kConvHeader + "c,20,4,3,5,3,8,1,\n",
               {"line 2, column 'Filter Width'", "expected an integer in [1, 4]", "got '5'"});
}

TEST(ScaleSimTopology, WrongFieldCountNamesTheMissingColumnOrTheUnexpectedField) {
  expect_error(kConvHeader + "c,8,8,3,3,4,5\n", {"line 2, column 'Strides': missing", "expected 8 fields", "got 7"});
  expect_error(kConvHeader + "c,8,8\n", {"line 2, column 'Filter Height': missing", "got 3"});
  // A 9th field is SCALE-Sim's stride width: accsim has one stride for both directions.
  expect_error(kConvHeader + "c,8,8,3,3,4,5,1,2,\n",
               {"line 2, column 'Stride width'", "expected an integer in [1, 1]", "Strides is 1", "got '2'"});
  expect_error(kConvHeader + "c,8,8,3,3,4,5,1,1,x,\n", {"line 2, column 'field 10'", "expected an integer", "got 'x'"});
  expect_error(kGemmHeader + "fc,1,2\n", {"line 2, column 'K': missing"});
  // Two trailing commas: the second leaves an empty field where a number belongs.
  expect_error(kGemmHeader + "fc,1,2,,\n", {"line 2, column 'K'", "got ''"});
}

TEST(ScaleSimTopology, UnknownHeaderEmptyFileAndHeaderWithoutLayersAreInputErrors) {
  expect_error("Name, Height, Width,\nc,1,1,\n",
               {"topo.csv: line 1: unknown header 'Name, Height, Width,'", "IFMAP Height", "Layer Name, M, N, K,"});
  expect_error("\n\n" + kConvHeader.substr(0, 60) + "\n", {"line 3: unknown header"});
  expect_error("", {"topo.csv: empty file", "Layer name, IFMAP Height"});
  expect_error(" \n\n,,,\n", {"topo.csv: empty file"});
  expect_error(kConvHeader + "\n", {"topo.csv: no layers after the header on line 1"});
}

// As SCALE-Sim's mobilnet_paper.csv: a comment after the last comma of some rows.
TEST(ScaleSimTopology, TextAfterARowsLastCommaIsIgnoredWithOneWarningAsScaleSimDropsIt) {
  const Topology t = parse_scalesim_topology_text(kConvHeader +
                                                      "\n"
                                                      "C1, 32, 32, 3, 3, 3, 8, 2,\n"
                                                      "C2_dw, 16, 16, 3, 3, 1, 1, 1,#dw\n"
                                                      "C3, 16, 16, 1, 1, 8, 16, 1,\n"
                                                      "C4_dw,16,16,3,3,1,1,2,#dw\n"
                                                      "C5,8,8,1,1,16,32,1,1 # pointwise\n",
                                                  "mobile.csv");
  ASSERT_EQ(t.layers.size(), 5u);
  EXPECT_EQ(t.layers[1].layer, "C2_dw");
  EXPECT_EQ(t.layers[1].shape.stride, 1);
  EXPECT_EQ(t.layers[3].shape.stride, 2);
  EXPECT_EQ(t.layers[4].shape.k, 32);
  EXPECT_EQ(t.layers[4].shape.stride, 1);
  EXPECT_EQ(t.warnings, (std::vector<std::string>{
                            "mobile.csv: text after a row's last comma is ignored, as SCALE-Sim ignores it: line 4 "
                            "('#dw'), line 6 ('#dw'), line 7 ('1 # pointwise')"}));
}

// As SCALE-Sim's DeepSpeech2.csv: "IFMAP Width" twice in the header, CRLF, a blank after
// a row's trailing comma, no newline at the end.
TEST(ScaleSimTopology, ADuplicatedHeaderNameIsReadByPositionWithAWarning) {
  const Topology t = parse_scalesim_topology_text(
      "Layer, IFMAP Width, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\r\n"
      "Conv1,70,16,41,11,1,32,2,\r\n"
      "RNN1,67,256,1,256,1,4,1, \r\n"
      "FC,1,256,1,256,1,29,1,",
      "speech.csv");
  ASSERT_EQ(t.layers.size(), 3u);
  EXPECT_EQ(t.layers[0].shape.h, 70);  // the second column is the IFMAP height, by position
  EXPECT_EQ(t.layers[0].shape.w, 16);
  EXPECT_EQ(t.layers[2].layer, "FC");
  EXPECT_EQ(t.layers[2].shape.k, 29);
  EXPECT_EQ(t.warnings, (std::vector<std::string>{
                            "speech.csv: header names that differ from SCALE-Sim's are read by position, as "
                            "SCALE-Sim reads them: line 1 (column 2 'IFMAP Width' where SCALE-Sim's format has "
                            "'IFMAP Height')"}));
}

// SCALE-Sim's own writer (topology_utils.write_topo_file) names both strides; its reader
// takes a 9th field as the stride width; headers may carry names no row fills.
TEST(ScaleSimTopology, StrideWidthColumnsAndExtraHeaderNamesAreAcceptedAsScaleSimAcceptsThem) {
  const Topology t = parse_scalesim_topology_text(
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,Stride height,Stride width,\n"
      "c1,9,9,3,3,2,4,2,2,\n"
      "c2,9,9,3,3,2,4,1,\n",
      "written.csv");
  ASSERT_EQ(t.layers.size(), 2u);
  EXPECT_EQ(t.layers[0].shape.stride, 2);
  EXPECT_TRUE(t.warnings.empty()) << t.warnings[0];

  const Topology extra = parse_scalesim_topology_text(
      "\xEF\xBB\xBFLayer name,Ifmap height,ifmap width,filter height,filter width,channels,num filters,strides,batch size,\n"
      "l1,8,8,1,1,4,4,1,\n"
      "l2,8,8,1,1,4,4,1,1,7,\n",
      "fwd.csv");
  ASSERT_EQ(extra.layers.size(), 2u);
  EXPECT_EQ(extra.warnings,
            (std::vector<std::string>{
                "fwd.csv: fields past the format's columns are ignored, as SCALE-Sim ignores them: line 3 (field 10 '7')",
                "fwd.csv: header names past the format's columns are ignored, as SCALE-Sim ignores them: line 1 (column "
                "9 'batch size')",
                "fwd.csv: header names that differ from SCALE-Sim's are read by position, as SCALE-Sim reads them: line "
                "1 (column 7 'num filters' where SCALE-Sim's format has 'Num Filter')"}));

  const Topology gemm = parse_scalesim_topology_text("Layer,M,N,K,\nfc,1,2,3,4,\n", "g.csv");
  EXPECT_EQ(gemm.layers[0].shape.c, 3);
  EXPECT_EQ(gemm.warnings, (std::vector<std::string>{"g.csv: fields past the format's columns are ignored, as "
                                                     "SCALE-Sim ignores them: line 2 (field 5 '4')"}));
}

TEST(ScaleSimTopology, AWarningListsThreeLinesAndCountsTheRest) {
  std::string text = kGemmHeader;
  for (int i = 0; i < 6; ++i) text += "fc" + std::to_string(i) + ",1,2,3,#" + std::to_string(i) + "\n";
  const Topology t = parse_scalesim_topology_text(text, "g.csv");
  ASSERT_EQ(t.layers.size(), 6u);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find(": line 2 ('#0'), line 3 ('#1'), line 4 ('#2') and 3 more lines"), std::string::npos)
      << t.warnings[0];
}

TEST(ScaleSimTopology, LayerWithMoreMacsThanTwoToThe53IsRejected) {
  expect_error(kGemmHeader + "huge,16777216,16777216,16777216,\n", {"line 2:", "2^53"});
}

TEST(ScaleSimTopology, MissingFileAndDirectoryAreInputErrorsNamingThePath) {
  const std::string missing = (fs::temp_directory_path() / ("accsim_no_such_topology_" + std::to_string(::getpid()) + ".csv")).string();
  try {
    parse_scalesim_topology(missing);
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(missing + ": cannot open"), std::string::npos) << e.what();
  }
  try {
    parse_scalesim_topology(fs::temp_directory_path().string());
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim

// Issue 12, item 4: tiny inputs that would allocate without bound.
namespace accsim {
namespace {

TEST(ScaleSimTopologySize, ADepthwiseLayerOfTwoToTheTwentyFourChannelsIsRefusedBeforeAllocating) {
  const testing::ScopedEnv limit(kMemoryLimitVariable, "1G");
  // Two lines: 2^24 single-channel layers of about 1 KiB each in a run.
  expect_error(kConvHeader + "DP1, 8, 8, 3, 3, 16777216, 1, 1,\n",
               {"line 2: 16777216 layers (a depthwise layer is one layer per channel) needs about 16 GiB, more than "
                "the memory limit of 1 GiB", "ACCSIM_MEMORY_LIMIT"});
  const Topology fits = parse_scalesim_topology_text(kConvHeader + "DP1, 8, 8, 3, 3, 512, 1, 1,\n", "topo.csv");
  EXPECT_EQ(fits.layers.size(), 512u);
}

TEST(ScaleSimTopologySize, ManyRowsAreCountedAgainstTheLimitToo) {
  const testing::ScopedEnv limit(kMemoryLimitVariable, "4M");  // 4096 layers, counted every 4096 rows
  std::string text = kGemmHeader;
  for (int i = 0; i < 9000; ++i) text += "fc" + std::to_string(i) + ", 1, 1, 1,\n";
  expect_error(text, {"line 8193: 8192 layers", "needs about 8 MiB, more than the memory limit of 4 MiB"});
}

}  // namespace
}  // namespace accsim
