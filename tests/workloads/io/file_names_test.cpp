// Files beside a target fit the file-name limit whatever the target's legal name.
#include "workloads/io/file_names.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace accsim {
namespace {

namespace fs = std::filesystem;

TEST(FileNames, AShortNameGetsItsSuffixUnchanged) {
  EXPECT_EQ(name_beside("runs/out.h5", ".checkpoint.h5"), "runs/out.h5.checkpoint.h5");
  EXPECT_EQ(name_beside("out.h5", ".partial12"), "out.h5.partial12");
}

// A 253-byte --out once failed: "<out>.partial<pid>" passed the 255-byte limit.
TEST(FileNames, ALongNameIsShortenedToFitTheLimitTheSameWayEveryTime) {
  const std::string dir = fs::temp_directory_path().string();
  const std::string long_name = std::string(250, 'a') + ".h5";
  const std::string a = name_beside(dir + "/" + long_name, ".checkpoint.h5");
  EXPECT_EQ(fs::path(a).parent_path(), fs::path(dir));
  EXPECT_LE(fs::path(a).filename().string().size(), file_name_limit(dir));
  EXPECT_EQ(fs::path(a).filename().string().size(), file_name_limit(dir)) << "uses the room it has";
  EXPECT_EQ(a, name_beside(dir + "/" + long_name, ".checkpoint.h5")) << "a rerun must find the same checkpoint";
  EXPECT_EQ(fs::path(a).filename().string().rfind("aaaa", 0), 0u);
  EXPECT_EQ(a.substr(a.size() - 14), ".checkpoint.h5");
  const std::string other = std::string(250, 'a') + ".H5";
  EXPECT_NE(a, name_beside(dir + "/" + other, ".checkpoint.h5")) << "two targets, one checkpoint";
}

TEST(FileNames, AShortenedNameKeepsWholeUtf8Characters) {
  std::string name;
  while (name.size() < 250) name += "\xC3\xA9";  // é
  const std::string shortened = fs::path(name_beside(name, ".partial123456")).filename().string();
  EXPECT_LE(shortened.size(), file_name_limit(""));
  const std::size_t tilde = shortened.find('~');
  ASSERT_NE(tilde, std::string::npos);
  EXPECT_EQ(tilde % 2, 0u) << "a character was cut in two";
}

}  // namespace
}  // namespace accsim
