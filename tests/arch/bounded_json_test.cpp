// parse_bounded_json: untrusted JSON text within bounds. Every refusal is an InputError
// of one short line naming the source and the JSON path; nothing recurses with the input.
#include "arch/bounded_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>

#include "arch/input_error.h"

namespace accsim {
namespace {

using nlohmann::json;

std::string error_of(const std::string& text) {
  try {
    parse_bounded_json(text, "x.json");
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError for " << text.substr(0, 80);
  return "";
}

// One line, short, and holding every part.
void expect_message(const std::string& m, std::initializer_list<std::string> parts) {
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_LT(m.size(), 400u) << m.substr(0, 400);
  EXPECT_EQ(m.rfind("x.json: ", 0), 0u) << m;
  for (const auto& p : parts) EXPECT_NE(m.find(p), std::string::npos) << "lacks [" << p << "]: " << m;
}

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(BoundedJson, EveryShippedConfigParsesAsNlohmannParsesIt) {
  int files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(ACCSIM_SOURCE_DIR) + "/configs")) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(parse_bounded_json(text, e.path().string()), json::parse(text)) << e.path();
    ++files;
  }
  EXPECT_GT(files, 10);
}

TEST(BoundedJson, ScalarsArraysAndObjectsKeepTheirTypesAndOrder) {
  const json j = parse_bounded_json(R"({"b": [1, -2, 3.5, true, null, "s", {}], "a": {"c": 18446744073709551615}})", "x");
  EXPECT_EQ(j, json::parse(R"({"b": [1, -2, 3.5, true, null, "s", {}], "a": {"c": 18446744073709551615}})"));
  EXPECT_TRUE(j["a"]["c"].is_number_unsigned());
  EXPECT_TRUE(j["b"][1].is_number_integer());
  EXPECT_EQ(parse_bounded_json("7", "x"), json(7));
}

TEST(BoundedJson, NestingUpToTheLimitIsAcceptedOneMoreLevelIsRefused) {
  EXPECT_NO_THROW(parse_bounded_json(nested(kMaxJsonDepth), "x.json"));
  expect_message(error_of(nested(kMaxJsonDepth + 1)), {"nested deeper than 64 levels"});
}

// A config nested 100,000 deep (200 KB) once overflowed the stack when it was serialised.
TEST(BoundedJson, ADocumentNestedOneHundredThousandDeepIsRefusedWithTheKeyPath) {
  const std::string text = R"({"array": {"atomic_c": )" + nested(100000) + "}}";
  expect_message(error_of(text), {"array.atomic_c[0][0]", "nested deeper than 64 levels"});
}

TEST(BoundedJson, ADuplicateKeyIsRefusedNamingItsPath) {
  expect_message(error_of(R"({"seed": 1, "seed": 2})"), {"x.json: seed: duplicate key"});
  expect_message(error_of(R"({"array": {"faults": [{"bit": 1, "bit": 1}]}})"), {"array.faults[0].bit: duplicate key"});
  EXPECT_NO_THROW(parse_bounded_json(R"({"a": {"k": 1}, "b": {"k": 1}})", "x.json"));  // same key, other objects
}

TEST(BoundedJson, ANulByteIsRefusedWithItsPositionWhateverFollows) {
  expect_message(error_of(std::string("{\"a\": 1}\n\0{\"b\": 2}", 18)), {"NUL byte at line 2, column 1"});
  expect_message(error_of(std::string("{\"a\": \"x\0y\"}", 12)), {"NUL byte at line 1, column 9"});
}

TEST(BoundedJson, ANumberBeyondDoubleIsAnInputErrorNamingItsKey) {
  expect_message(error_of(R"({"array": {"clock_mhz": 1e400}})"),
                 {"array.clock_mhz: the number 1e400 is outside the range of a double", "line 1"});
  expect_message(error_of("[1, -1e999]"), {"[1]: the number -1e999"});
  EXPECT_EQ(parse_bounded_json("1e-400", "x.json"), json(0.0));  // underflow is zero, as strtod gives
}

TEST(BoundedJson, TooLongStringsAndKeysAreRefusedWithAShortExcerpt) {
  const std::string big(10u << 20, 'a');
  expect_message(error_of(R"({"name": ")" + big + "\"}"), {"name: a string of 10485760 bytes (\"aaaa", "at most 4096"});
  expect_message(error_of("{\"" + std::string(300, 'k') + "\": 1}"), {"a key of 300 bytes", "at most 256"});
  EXPECT_NO_THROW(parse_bounded_json("[\"" + std::string(kMaxJsonStringBytes, 's') + "\"]", "x.json"));
}

TEST(BoundedJson, MalformedJsonGivesLineAndColumnAndCutsTheTokenItQuotes) {
  expect_message(error_of("{\n  \"a\": tru\n}"), {"x.json: malformed JSON: parse error at line 3", "invalid literal"});
  // An unterminated 1 MB string with a line break: the token nlohmann quotes is cut.
  expect_message(error_of("{\"a\": \"" + std::string(1u << 20, 'z') + "\n"), {"malformed JSON", "last read: '\"zzz"});
  expect_message(error_of(R"({"a": 1} {"b": 2})"), {"malformed JSON", "end of input"});
  expect_message(error_of(""), {"malformed JSON"});
}

}  // namespace
}  // namespace accsim
