// Values quoted in error messages stay one short line, however large or deep.
#include "arch/json_excerpt.h"

#include <gtest/gtest.h>

#include <string>

namespace accsim {
namespace {

using nlohmann::json;

TEST(JsonExcerpt, ShortValuesAreTheirJsonText) {
  EXPECT_EQ(json_excerpt(json(42)), "42");
  EXPECT_EQ(json_excerpt(json("fp32")), "\"fp32\"");
  EXPECT_EQ(json_excerpt(json::parse(R"({"a": [1, 2], "b": null})")), R"({"a": [1, 2], "b": null})");
  EXPECT_EQ(json_excerpt(json::array()), "[]");
}

TEST(JsonExcerpt, ATenMegabyteStringBecomesOneShortLine) {
  const std::string m = json_excerpt(json(std::string(10u << 20, 'x') + "\nsecond line"));
  EXPECT_LE(m.size(), kExcerptChars);
  EXPECT_EQ(m.rfind("\"xxxx", 0), 0u) << m;
  EXPECT_EQ(m.substr(m.size() - 3), "...");
}

TEST(JsonExcerpt, ControlCharactersAreEscaped) {
  EXPECT_EQ(json_excerpt(json("a\nb\x01")), "\"a\\nb\\u0001\"");
  EXPECT_EQ(quoted_excerpt("x\ty"), "\"x\\ty\"");
}

// Built iteratively and shown without recursion into the whole value.
TEST(JsonExcerpt, AValueNestedOneHundredThousandDeepIsCutNotRecursedInto) {
  json deep = json::array();
  json* p = &deep;
  for (int i = 0; i < 100000; ++i) {
    p->push_back(json::array());
    p = &p->back();
  }
  const std::string m = json_excerpt(deep);
  EXPECT_LE(m.size(), kExcerptChars);
  EXPECT_EQ(m.rfind("[[[[", 0), 0u) << m;
}

TEST(JsonExcerpt, ACutNeverSplitsAUtf8Character) {
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";  // é, two bytes
  for (std::size_t max = 10; max < 20; ++max) {
    const std::string m = json_excerpt(json(accents), max);
    EXPECT_LE(m.size(), max);
    EXPECT_NO_THROW((void)json(m).dump()) << "the excerpt is not valid UTF-8: " << m;
  }
}

TEST(JsonExcerpt, OneLineEscapesLineBreaksAndCutsLongMessages) {
  EXPECT_EQ(one_line("a\nb\r\tc"), "a\\nb\\r\\tc");
  const std::string m = one_line(std::string(10000, 'm'), 100);
  EXPECT_LT(m.size(), 160u);
  EXPECT_NE(m.find("more characters cut"), std::string::npos) << m;
  EXPECT_EQ(one_line("short"), "short");
}

}  // namespace
}  // namespace accsim
