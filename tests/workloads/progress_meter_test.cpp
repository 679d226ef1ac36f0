// Progress on stderr: a line per 10% for logs, a redrawn bar for terminals, or nothing.
#include "workloads/progress_meter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace accsim {
namespace {

TEST(ProgressMeter, LinesStyleWritesOneLinePerTenthAndNothingForRepeats) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::lines, "job");
  m.update(0, 200);  // the baseline: "0%" says nothing
  for (long long done = 1; done <= 200; ++done) {
    m.update(done, 200);
    m.update(done, 200);
  }
  m.finish();
  const std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 10) << s;
  EXPECT_NE(s.find("job:  10% (20/200)"), std::string::npos) << s;
  EXPECT_NE(s.find("job: 100% (200/200)"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA"), std::string::npos) << s;
  EXPECT_EQ(s.find('\r'), std::string::npos) << s;
}

TEST(ProgressMeter, AResumedRunSaysWhereItResumes) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::lines, "job");
  m.update(50, 100);
  EXPECT_EQ(out.str(), "job: resuming at 50/100\n");
}

TEST(ProgressMeter, BarStyleRedrawsOneLineWithAnEtaAndEndsIt) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::bar, "job");
  m.update(0, 4);
  m.update(2, 4);
  m.finish();
  const std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_NE(s.find("[###############...............]  50% 2/4"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
  EXPECT_EQ(s.back(), '\n');
}

TEST(ProgressMeter, NoneStyleWritesNothing) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::none, "job");
  for (long long done = 0; done <= 10; ++done) m.update(done, 10);
  m.finish();
  EXPECT_TRUE(out.str().empty());
}

TEST(ProgressMeter, DurationsReadNaturally) {
  EXPECT_EQ(ProgressMeter::duration(42.2), "42 s");
  EXPECT_EQ(ProgressMeter::duration(185), "3 min 05 s");
  EXPECT_EQ(ProgressMeter::duration(7620), "2 h 07 min");
}

}  // namespace
}  // namespace accsim
