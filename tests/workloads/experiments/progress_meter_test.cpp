// Progress on stderr: a line per 10% for logs, a redrawn bar for terminals, or nothing;
// a resume is told from a start, the ETA covers the whole run, lines fit the terminal.
#include "workloads/experiments/progress_meter.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace accsim {
namespace {

// The longest line of `s`, counting a '\r' as the start of a new (redrawn) line.
std::size_t widest_line(const std::string& s) {
  std::size_t widest = 0, current = 0;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      current = 0;
      continue;
    }
    widest = std::max(widest, ++current);
  }
  return widest;
}

TEST(ProgressMeter, LinesStyleWritesOneLinePerTenthAndNothingForRepeats) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::lines, "job", 80);
  m.start(0, 200);
  for (long long done = 1; done <= 200; ++done) {
    m.update(done);
    m.update(done);
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
  ProgressMeter m(out, ProgressStyle::lines, "job", 80);
  m.start(50, 100);
  EXPECT_EQ(out.str(), "job: resuming at 50/100\n");
}

// A fresh run's first report comes after its first item: it is no resume.
TEST(ProgressMeter, AFreshRunNeverSaysResuming) {
  for (ProgressStyle style : {ProgressStyle::lines, ProgressStyle::bar}) {
    std::ostringstream out;
    ProgressMeter m(out, style, "job", 80);
    m.start(0, 10);
    for (long long done = 1; done <= 10; ++done) m.update(done);
    m.finish();
    EXPECT_EQ(out.str().find("resuming"), std::string::npos) << out.str();
  }
}

// The ETA runs to the end of the whole run, at the rate of the work done since the
// start (restored items took no time here).
TEST(ProgressMeter, TheEtaCoversTheWholeRunAndCountsOnlyFreshWork) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::lines, "job", 80);
  m.start(0, 10);
  EXPECT_EQ(out.str(), "");
  m.update(10);
  EXPECT_NE(out.str().find("done"), std::string::npos) << out.str();

  std::ostringstream resumed;
  ProgressMeter r(resumed, ProgressStyle::lines, "job", 80);
  r.start(5, 10);
  r.update(6);
  EXPECT_NE(resumed.str().find("job:  60% (6/10)"), std::string::npos) << resumed.str();
  EXPECT_NE(resumed.str().find("ETA 0 s"), std::string::npos) << resumed.str();  // 4 more at this run's rate
}

TEST(ProgressMeter, BarStyleRedrawsOneLineWithAnEtaAndEndsIt) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::bar, "job", 100);
  m.start(0, 4);
  m.update(2);
  m.finish();
  const std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_NE(s.find("[###############...............]  50% 2/4"), std::string::npos) << s;
  EXPECT_NE(s.find("ETA"), std::string::npos) << s;
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1);
  EXPECT_EQ(s.back(), '\n');
}

TEST(ProgressMeter, NoLineIsWiderThanTheTerminal) {
  for (int width : {20, 40, 60, 80, 200})
    for (ProgressStyle style : {ProgressStyle::lines, ProgressStyle::bar}) {
      std::ostringstream out;
      ProgressMeter m(out, style, "accsim: campaign", width);
      m.start(1234, 100000);
      for (long long done = 1234; done <= 100000; done += 9000) m.update(done);
      m.update(100000);
      m.clear();
      m.finish();
      EXPECT_LT(widest_line(out.str()), static_cast<std::size_t>(width)) << width << "\n" << out.str();
      if (width >= 40) {
        EXPECT_NE(out.str().find("done"), std::string::npos) << width << "\n" << out.str();  // the ETA survives
      }
      if (style == ProgressStyle::bar && width >= 60) {
        EXPECT_NE(out.str().find("[#"), std::string::npos) << out.str();
      }
    }
}

TEST(ProgressMeter, TheWidthComesFromColumnsWhenStderrIsNoTerminal) {
  const char* old = std::getenv("COLUMNS");
  const std::string saved = old ? old : "";
  ::setenv("COLUMNS", "33", 1);
  const int columns = terminal_columns();
  if (old)
    ::setenv("COLUMNS", saved.c_str(), 1);
  else
    ::unsetenv("COLUMNS");
  if (::isatty(2)) GTEST_SKIP() << "stderr is a terminal: its own width wins";
  EXPECT_EQ(columns, 33);
}

TEST(ProgressMeter, ClearWipesTheBarSoOtherOutputStartsOnAnEmptyLine) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::bar, "job", 80);
  m.start(0, 4);
  m.update(1);
  const std::string before = out.str();
  const std::size_t drawn = before.size() - before.rfind('\r') - 1;  // the bar after its '\r'
  m.clear();
  const std::string s = out.str();
  EXPECT_EQ(s.substr(s.size() - drawn - 2), "\r" + std::string(drawn, ' ') + "\r");
  m.finish();  // nothing drawn: no newline
  EXPECT_EQ(out.str(), s);
}

TEST(ProgressMeter, NoneStyleWritesNothing) {
  std::ostringstream out;
  ProgressMeter m(out, ProgressStyle::none, "job");
  m.start(3, 10);
  for (long long done = 3; done <= 10; ++done) m.update(done);
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
