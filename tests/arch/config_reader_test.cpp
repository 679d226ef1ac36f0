// Unit tests of ConfigReader: every error is an InputError with the one-line format
// "file: json.path: message" and the message gives the allowed range or choices.
#include "arch/config_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

#include "arch/bounded_json.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kFile = "exp.json";

// The message of the InputError `f` throws ("" and a test failure if it throws nothing or something else).
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return "";
}

void expect_message(const std::string& message, std::initializer_list<std::string> must_contain) {
  EXPECT_EQ(message.find('\n'), std::string::npos) << "message is not one line: " << message;
  for (const auto& s : must_contain) EXPECT_NE(message.find(s), std::string::npos) << "lacks [" << s << "]: " << message;
}

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / (std::string("accsim_config_reader_") + (info ? info->name() : "test") + "_" +
                                         std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string write_file(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
  return file.string();
}

// ---------------------------------------------------------------- construction

TEST(ConfigReader, NonObjectTopLevelIsRejectedNamingTopLevel) {
  const json j = json::array({1, 2});
  const std::string m = error_of([&] { ConfigReader r(j, kFile, ""); });
  expect_message(m, {"exp.json: ", "top level", "expected a JSON object", "array"});
}

TEST(ConfigReader, NonObjectAtPathIsRejectedNamingThePath) {
  const json j = 3;
  const std::string m = error_of([&] { ConfigReader r(j, kFile, "array"); });
  expect_message(m, {"exp.json: array: expected a JSON object"});
}

// ---------------------------------------------------------------- required keys and integers

TEST(ConfigReader, RequiredKeyMissingNamesFileAndPath) {
  const json j = json::object();
  ConfigReader r(j, kFile, "array");
  const std::string m = error_of([&] { r.get_int("atomic_c", 1, 256); });
  EXPECT_EQ(m, "exp.json: array.atomic_c: required key is missing (expected an integer in [1, 256])");
}

TEST(ConfigReader, RequiredKeyMissingAtTopLevelHasNoLeadingDot) {
  const json j = json::object();
  ConfigReader r(j, kFile, "");
  const std::string m = error_of([&] { r.get_string("name"); });
  EXPECT_EQ(m, "exp.json: name: required key is missing (expected a string)");
}

TEST(ConfigReader, IntegerWithinRangeIncludingBoundsIsReturned) {
  const json j = {{"lo", 1}, {"hi", 256}, {"mid", 17}};
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(r.get_int("lo", 1, 256), 1);
  EXPECT_EQ(r.get_int("hi", 1, 256), 256);
  EXPECT_EQ(r.get_int("mid", 1, 256), 17);
  EXPECT_NO_THROW(r.finish());
}

TEST(ConfigReader, IntegerAboveRangeMessageGivesValueAndRange) {
  const json j = {{"atomic_c", 257}};
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(error_of([&] { r.get_int("atomic_c", 1, 256); }),
            "exp.json: array.atomic_c: 257 is outside the allowed range [1, 256]");
}

TEST(ConfigReader, IntegerBelowRangeMessageGivesValueAndRange) {
  const json j = {{"atomic_c", 0}, {"depth", -3}};
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(error_of([&] { r.get_int("atomic_c", 1, 256); }),
            "exp.json: array.atomic_c: 0 is outside the allowed range [1, 256]");
  expect_message(error_of([&] { r.get_int("depth", 0, 1024); }), {"array.depth", "-3", "[0, 1024]"});
}

TEST(ConfigReader, IntegerOfWrongTypeMessageGivesRangeAndValue) {
  const json j = {{"s", "8"}, {"f", 8.5}, {"b", true}, {"n", nullptr}, {"a", json::array({8})}};
  ConfigReader r(j, kFile, "array");
  expect_message(error_of([&] { r.get_int("s", 1, 256); }), {"array.s", "expected an integer in [1, 256]", "\"8\""});
  expect_message(error_of([&] { r.get_int("f", 1, 256); }), {"array.f", "expected an integer in [1, 256]", "8.5"});
  expect_message(error_of([&] { r.get_int("b", 1, 256); }), {"array.b", "expected an integer in [1, 256]", "true"});
  expect_message(error_of([&] { r.get_int("n", 1, 256); }), {"array.n", "expected an integer in [1, 256]", "null"});
  expect_message(error_of([&] { r.get_int("a", 1, 256); }), {"array.a", "expected an integer in [1, 256]"});
}

TEST(ConfigReader, IntegerAboveInt64IsOutsideTheRangeNotWrapped) {
  const json j = {{"seed", 18446744073709551615ULL}};
  ConfigReader r(j, kFile, "");
  expect_message(error_of([&] { r.get_int("seed", 0, INT64_MAX); }),
                 {"exp.json: seed: ", "18446744073709551615", "[0, 9223372036854775807]"});
}

TEST(ConfigReader, OptionalIntegerFallsBackOnlyWhenAbsent) {
  const json j = {{"present", 5}, {"bad", 50}};
  ConfigReader r(j, kFile, "w");
  EXPECT_EQ(r.get_int("absent", 0, 9, 7), 7);
  EXPECT_EQ(r.get_int("present", 0, 9, 7), 5);
  expect_message(error_of([&] { r.get_int("bad", 0, 9, 7); }), {"w.bad", "50", "[0, 9]"});
}

// ---------------------------------------------------------------- doubles, bools, strings

TEST(ConfigReader, DoubleRangeMessageGivesValueAndRange) {
  const json j = {{"zero", 0}, {"neg", -2.5}, {"ok", 1000.5}, {"str", "fast"}};
  ConfigReader r(j, kFile, "array");
  expect_message(error_of([&] { r.get_double("zero", 1.0, 100000.0); }),
                 {"exp.json: array.zero: ", "0 is outside the allowed range [1, 100000]"});
  expect_message(error_of([&] { r.get_double("neg", 1.0, 100000.0); }), {"array.neg", "-2.5", "[1, 100000]"});
  expect_message(error_of([&] { r.get_double("str", 1.0, 100000.0); }),
                 {"array.str", "expected a number in [1, 100000]", "\"fast\""});
  EXPECT_DOUBLE_EQ(r.get_double("ok", 1.0, 100000.0), 1000.5);
  EXPECT_DOUBLE_EQ(r.get_double("absent", 1.0, 100000.0, 42.0), 42.0);
}

TEST(ConfigReader, DoubleAcceptsIntegerJson) {
  const json j = {{"clock_mhz", 1000}};
  ConfigReader r(j, kFile, "array");
  EXPECT_DOUBLE_EQ(r.get_double("clock_mhz", 1.0, 100000.0), 1000.0);
}

TEST(ConfigReader, BoolOfWrongTypeIsRejected) {
  const json j = {{"flag", 1}, {"ok", false}};
  ConfigReader r(j, kFile, "opts");
  expect_message(error_of([&] { r.get_bool("flag", true); }), {"exp.json: opts.flag: ", "true or false", "1"});
  EXPECT_FALSE(r.get_bool("ok", true));
  EXPECT_TRUE(r.get_bool("absent", true));
}

TEST(ConfigReader, StringOfWrongTypeIsRejected) {
  const json j = {{"name", 3}};
  ConfigReader r(j, kFile, "array");
  expect_message(error_of([&] { r.get_string("name"); }), {"exp.json: array.name: ", "expected a string", "3"});
  EXPECT_EQ(r.get_string("absent", "custom"), "custom");
}

// ---------------------------------------------------------------- choices

TEST(ConfigReader, ChoiceNotAllowedMessageListsTheChoices) {
  const json j = {{"swizzle", "shuffle"}};
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(error_of([&] { r.get_choice("swizzle", {"none", "rotate", "xor", "random"}); }),
            "exp.json: array.swizzle: \"shuffle\" is not one of {none, rotate, xor, random}");
}

TEST(ConfigReader, ChoiceOfWrongTypeMessageListsTheChoices) {
  const json j = {{"kind", 1}};
  ConfigReader r(j, kFile, "faults[0]");
  expect_message(error_of([&] { r.get_choice("kind", {"stuck_at_0", "stuck_at_1", "transient"}); }),
                 {"exp.json: faults[0].kind: ", "{stuck_at_0, stuck_at_1, transient}", "1"});
}

TEST(ConfigReader, ChoiceAllowedIsReturnedAndFallbackWhenAbsent) {
  const json j = {{"datatype", "fp32"}};
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(r.get_choice("datatype", {"fp32"}), "fp32");
  EXPECT_EQ(r.get_choice("swizzle", {"none", "rotate"}, "none"), "none");
  EXPECT_NO_THROW(r.finish());
}

TEST(ConfigReader, ChoiceIsCaseSensitive) {
  const json j = {{"datatype", "FP32"}};
  ConfigReader r(j, kFile, "array");
  expect_message(error_of([&] { r.get_choice("datatype", {"fp32"}); }), {"array.datatype", "\"FP32\"", "{fp32}"});
}

// ---------------------------------------------------------------- integer arrays

TEST(ConfigReader, IntArrayWithinRangeIsReturned) {
  const json j = {{"pe", {0, 7}}};
  ConfigReader r(j, kFile, "faults[0]");
  EXPECT_EQ(r.get_int_array("pe", 2, 0, 7), (std::vector<std::int64_t>{0, 7}));
}

TEST(ConfigReader, IntArrayOfWrongLengthIsRejected) {
  const json j = {{"short", {1}}, {"long", {1, 2, 3}}, {"empty", json::array()}};
  ConfigReader r(j, kFile, "faults[0]");
  expect_message(error_of([&] { r.get_int_array("short", 2, 0, 7); }),
                 {"exp.json: faults[0].short: ", "expected an array of 2 integers", "[1]"});
  expect_message(error_of([&] { r.get_int_array("long", 2, 0, 7); }), {"faults[0].long", "array of 2 integers"});
  expect_message(error_of([&] { r.get_int_array("empty", 2, 0, 7); }), {"faults[0].empty", "array of 2 integers"});
}

TEST(ConfigReader, IntArrayNotAnArrayIsRejected) {
  const json j = {{"pe", 3}, {"obj", {{"row", 1}}}};
  ConfigReader r(j, kFile, "faults[0]");
  expect_message(error_of([&] { r.get_int_array("pe", 2, 0, 7); }), {"faults[0].pe", "array of 2 integers", "3"});
  expect_message(error_of([&] { r.get_int_array("obj", 2, 0, 7); }), {"faults[0].obj", "array of 2 integers"});
}

TEST(ConfigReader, IntArrayElementOfWrongTypeNamesTheElementPath) {
  const json j = {{"pe", {1, "2"}}};
  ConfigReader r(j, kFile, "faults[0]");
  EXPECT_EQ(error_of([&] { r.get_int_array("pe", 2, 0, 7); }),
            "exp.json: faults[0].pe[1]: expected an integer in [0, 7], got \"2\"");
}

TEST(ConfigReader, IntArrayElementOutOfRangeNamesTheElementPathAndRange) {
  const json j = {{"pe", {1, 9}}, {"neg", {-1, 0}}};
  ConfigReader r(j, kFile, "faults[0]");
  EXPECT_EQ(error_of([&] { r.get_int_array("pe", 2, 0, 7); }),
            "exp.json: faults[0].pe[1]: 9 is outside the allowed range [0, 7]");
  expect_message(error_of([&] { r.get_int_array("neg", 2, 0, 7); }), {"faults[0].neg[0]", "-1", "[0, 7]"});
}

TEST(ConfigReader, IntArrayElementAboveInt64IsOutsideTheRangeNotWrapped) {
  const json j = {{"pe", {0, 18446744073709551615ULL}}};
  ConfigReader r(j, kFile, "faults[0]");
  expect_message(error_of([&] { r.get_int_array("pe", 2, 0, 7); }), {"faults[0].pe[1]", "[0, 7]"});
}

// ---------------------------------------------------------------- nested objects and arrays of objects

TEST(ConfigReader, NestedObjectErrorsCarryTheFullDottedPath) {
  const json j = {{"a", {{"b", {{"c", 99}}}}}};
  ConfigReader top(j, kFile, "");
  ConfigReader b = top.get_object("a").get_object("b");
  EXPECT_EQ(error_of([&] { b.get_int("c", 0, 10); }), "exp.json: a.b.c: 99 is outside the allowed range [0, 10]");
}

TEST(ConfigReader, NestedMissingKeyCarriesTheFullDottedPath) {
  const json j = {{"a", {{"b", json::object()}}}};
  ConfigReader top(j, kFile, "");
  ConfigReader b = top.get_object("a").get_object("b");
  EXPECT_EQ(error_of([&] { b.get_int("c", 0, 10); }), "exp.json: a.b.c: required key is missing (expected an integer in [0, 10])");
}

TEST(ConfigReader, GetObjectOfNonObjectIsRejected) {
  const json j = {{"a", {{"b", 5}}}};
  ConfigReader top(j, kFile, "");
  ConfigReader a = top.get_object("a");
  expect_message(error_of([&] { a.get_object("b"); }), {"exp.json: a.b: ", "expected a JSON object", "number"});
}

TEST(ConfigReader, ObjectArrayElementsGetIndexedPaths) {
  const json j = {{"faults", {{{"bit", 1}}, {{"bit", 40}}}}};
  ConfigReader top(j, kFile, "");
  auto elements = top.get_object_array("faults");
  ASSERT_EQ(elements.size(), 2u);
  EXPECT_EQ(elements[0].get_int("bit", 0, 31), 1);
  EXPECT_EQ(error_of([&] { elements[1].get_int("bit", 0, 31); }),
            "exp.json: faults[1].bit: 40 is outside the allowed range [0, 31]");
  EXPECT_EQ(elements[1].key_path("pe[0]"), "faults[1].pe[0]");
}

TEST(ConfigReader, ObjectArrayAbsentIsEmpty) {
  const json j = json::object();
  ConfigReader top(j, kFile, "");
  EXPECT_TRUE(top.get_object_array("faults").empty());
  EXPECT_NO_THROW(top.finish());
}

TEST(ConfigReader, ObjectArrayOfWrongTypeIsRejected) {
  const json j = {{"faults", {{"site", "weight"}}}};  // an object, not an array
  ConfigReader top(j, kFile, "");
  expect_message(error_of([&] { top.get_object_array("faults"); }), {"exp.json: faults: ", "array of objects"});
}

TEST(ConfigReader, ObjectArrayElementNotAnObjectNamesTheElement) {
  const json j = {{"faults", {json::object(), 3}}};
  ConfigReader top(j, kFile, "");
  expect_message(error_of([&] { top.get_object_array("faults"); }),
                 {"exp.json: faults[1]: ", "expected a JSON object", "3"});
}

// ---------------------------------------------------------------- unknown keys

TEST(ConfigReader, UnknownKeyMessageListsTheAllowedKeys) {
  const json j = {{"atomic_c", 8}, {"atomic_kk", 8}};
  ConfigReader r(j, kFile, "array");
  r.get_int("atomic_c", 1, 256);
  r.get_int("atomic_k", 1, 256, 8);      // optional, absent: still an allowed key
  r.get_string("name", "custom");        // optional, absent
  EXPECT_EQ(error_of([&] { r.finish(); }),
            "exp.json: array.atomic_kk: unknown key (allowed keys: atomic_c, atomic_k, name)");
}

TEST(ConfigReader, UnknownTopLevelKeyHasNoLeadingDot) {
  const json j = {{"seed", 1}, {"sed", 2}};
  ConfigReader r(j, kFile, "");
  r.get_int("seed", 0, 10);
  expect_message(error_of([&] { r.finish(); }), {"exp.json: sed: unknown key", "allowed keys: seed"});
}

TEST(ConfigReader, KeyOnlyAskedWithHasIsStillUnknownWhenNotRead) {
  // has() alone does not consume a key: the parser must read it or reject it.
  const json j = {{"cycle", 5}};
  ConfigReader r(j, kFile, "faults[0]");
  EXPECT_TRUE(r.has("cycle"));
  expect_message(error_of([&] { r.finish(); }), {"faults[0].cycle", "unknown key", "cycle"});
}

TEST(ConfigReader, FinishPassesWhenEveryKeyWasRead) {
  const json j = {{"a", 1}, {"b", "x"}, {"c", {1, 2}}, {"d", {{"e", 1}}}};
  ConfigReader r(j, kFile, "");
  r.get_int("a", 0, 1);
  r.get_string("b");
  r.get_int_array("c", 2, 0, 5);
  r.get_raw("d", "anything");
  EXPECT_NO_THROW(r.finish());
}

TEST(ConfigReader, FailFormatsFilePathAndMessage) {
  const json j = json::object();
  ConfigReader r(j, kFile, "array");
  EXPECT_EQ(error_of([&] { r.fail("swizzle", "bad"); }), "exp.json: array.swizzle: bad");
  EXPECT_EQ(r.file(), kFile);
}

// ---------------------------------------------------------------- files

TEST(ConfigReader, LoadFileParsesValidJson) {
  TempDir dir;
  const std::string file = write_file(dir.path() / "ok.json", "{\"a\": {\"b\": [1, 2]}}\n");
  const json j = ConfigReader::load_file(file);
  EXPECT_EQ(j.at("a").at("b").at(1), 2);
}

TEST(ConfigReader, MalformedJsonMessageNamesFileAndLine) {
  TempDir dir;
  const std::string file = write_file(dir.path() / "bad.json", "{\n  \"a\": 1,\n  \"b\" 2\n}\n");
  const std::string m = error_of([&] { ConfigReader::load_file(file); });
  expect_message(m, {file + ": malformed JSON: ", "line 3"});
  EXPECT_EQ(m.find("json.exception"), std::string::npos) << m;
}

TEST(ConfigReader, TrailingCommaIsMalformedJson) {
  TempDir dir;
  const std::string file = write_file(dir.path() / "bad.json", "{\"a\": 1,}\n");
  expect_message(error_of([&] { ConfigReader::load_file(file); }), {file, "malformed JSON", "line 1"});
}

TEST(ConfigReader, TruncatedAndEmptyFilesAreMalformedJson) {
  TempDir dir;
  const std::string truncated = write_file(dir.path() / "truncated.json", "{\"a\": [1, 2\n");
  const std::string empty = write_file(dir.path() / "empty.json", "");
  expect_message(error_of([&] { ConfigReader::load_file(truncated); }), {truncated, "malformed JSON", "line"});
  expect_message(error_of([&] { ConfigReader::load_file(empty); }), {empty, "malformed JSON"});
}

TEST(ConfigReader, MalformedJsonWithNewlineInTokenStaysOneLine) {
  TempDir dir;
  // An unterminated string runs over the line break: the message must still be one line.
  const std::string file = write_file(dir.path() / "bad.json", "{\"a\": \"abc\ndef\"}\n");
  expect_message(error_of([&] { ConfigReader::load_file(file); }), {file, "malformed JSON"});
}

TEST(ConfigReader, MissingFileMessageNamesTheFile) {
  TempDir dir;
  const std::string file = (dir.path() / "nope.json").string();
  const std::string m = error_of([&] { ConfigReader::load_file(file); });
  expect_message(m, {file, "cannot open"});
}

// A directory, a FIFO or a device as --config was an internal error or blocked forever.
TEST(ConfigReader, LoadFileRefusesWhatIsNotARegularFileWithoutBlocking) {
  TempDir dir;
  const std::string fifo = (dir.path() / "fifo.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_message(error_of([&] { ConfigReader::load_file(dir.path().string()); }),
                 {dir.path().string() + ": is a directory; expected a JSON config file"});
  expect_message(error_of([&] { ConfigReader::load_file(fifo); }), {fifo + ": is a FIFO"});
  expect_message(error_of([&] { ConfigReader::load_file("/dev/zero"); }), {"/dev/zero: is a character device"});
}

TEST(ConfigReader, LoadFileRefusesDuplicateKeysNulBytesAndNumbersBeyondDouble) {
  TempDir dir;
  const std::string dup = write_file(dir.path() / "dup.json", "{\"seed\": 1, \"seed\": 2}\n");
  expect_message(error_of([&] { ConfigReader::load_file(dup); }), {dup + ": seed: duplicate key"});
  const std::string nul = write_file(dir.path() / "nul.json", std::string("{}\n\0{\"x\": 1}", 12));
  expect_message(error_of([&] { ConfigReader::load_file(nul); }), {nul + ": malformed JSON: a NUL byte at line 2"});
  const std::string huge = write_file(dir.path() / "huge.json", "{\"array\": {\"clock_mhz\": 1e400}}");
  expect_message(error_of([&] { ConfigReader::load_file(huge); }), {huge + ": array.clock_mhz: the number 1e400"});
}

TEST(ConfigReader, LoadFileRefusesAFileOverTheSizeLimit) {
  TempDir dir;
  const std::string big = write_file(dir.path() / "big.json", "[" + std::string(kMaxConfigBytes, ' ') + "]");
  expect_message(error_of([&] { ConfigReader::load_file(big); }), {big + ": holds 16777218 bytes, more than the limit"});
}

// Error messages quote a short excerpt of a bad value, never the whole of it.
TEST(ConfigReader, MessagesQuoteLongOrMultiLineValuesAsOneShortLine) {
  const json j = {{"mode", std::string(100000, 'x') + "\nline two"},
                  {"n", json::array({std::string(100000, 'y')})},
                  {"s", json::object({{"k", std::string(100000, 'z')}})}};
  for (const auto& f : std::vector<std::function<void(ConfigReader&)>>{
           [](ConfigReader& r) { r.get_choice("mode", {"a", "b"}); },
           [](ConfigReader& r) { r.get_int("n", 0, 1); },
           [](ConfigReader& r) { r.get_string("s"); },
           [](ConfigReader& r) { r.get_bool("n", false); }}) {
    ConfigReader r(j, kFile, "");
    const std::string m = error_of([&] { f(r); });
    expect_message(m, {kFile});
    EXPECT_LT(m.size(), 200u) << m.substr(0, 300);
  }
}

}  // namespace
}  // namespace accsim
