#include "arch/bounded_json.h"

#include <algorithm>
#include <vector>

#include "arch/input_error.h"
#include "arch/json_excerpt.h"

namespace accsim {

namespace {

using nlohmann::json;

// "line 3, column 7" of byte `offset` of `text` (both 1-based).
std::string position_text(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  const auto begin = text.begin(), at = begin + static_cast<std::ptrdiff_t>(offset);
  const std::size_t line = static_cast<std::size_t>(std::count(begin, at, '\n')) + 1;
  const std::size_t line_start = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const std::size_t column = line_start == std::string::npos || offset == 0 ? offset + 1 : offset - line_start;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message without its "[json.exception...] " prefix and with the token it
// quotes ("; last read: '...'", possibly megabytes) cut to an excerpt.
std::string parser_message(const std::string& what, const std::string& token) {
  std::string m = what.substr(what.find("] ") == std::string::npos ? 0 : what.find("] ") + 2);
  const std::size_t last = m.find("; last read: '");
  if (last != std::string::npos) m = m.substr(0, last) + "; last read: '" + one_line(token, kExcerptChars) + "'";
  return m;
}

// Builds the DOM from SAX events, checking every bound as it goes.
class BoundedBuilder : public nlohmann::json_sax<json> {
 public:
  BoundedBuilder(const std::string& text, const std::string& source) : text_(text), source_(source) {}
  json result;

  bool null() override { return put(nullptr); }
  bool boolean(bool v) override { return put(v); }
  bool number_integer(number_integer_t v) override { return put(v); }
  bool number_unsigned(number_unsigned_t v) override { return put(v); }
  bool number_float(number_float_t v, const string_t&) override { return put(v); }
  bool binary(binary_t&) override { return fail(here(), "binary values are not JSON"); }
  bool string(string_t& v) override {
    if (v.size() > kMaxJsonStringBytes)
      fail(here(), "a string of " + std::to_string(v.size()) + " bytes (" + quoted_excerpt(v) +
                       "); strings are at most " + std::to_string(kMaxJsonStringBytes) + " bytes");
    return put(std::move(v));
  }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    Frame& f = frames_.back();
    if (k.size() > kMaxJsonKeyBytes)
      fail(f.path, "a key of " + std::to_string(k.size()) + " bytes (" + quoted_excerpt(k) + "); keys are at most " +
                       std::to_string(kMaxJsonKeyBytes) + " bytes");
    if (f.value->contains(k))
      fail(join(f.path, k), "duplicate key: it appears twice in one object (JSON keys must be unique)");
    f.key = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string& token, const nlohmann::detail::exception& e) override {
    if (e.id == 406)  // out_of_range.406: a number beyond double
      fail(here(), "the number " + one_line(token, kExcerptChars) + " is outside the range of a double (" +
                       position_text(text_, position - token.size()) + ")");
    fail("", "malformed JSON: " + parser_message(e.what(), token));  // nlohmann gives line and column
  }

 private:
  struct Frame {
    json* value;      // the open object or array
    std::string path;  // its JSON path, "" at the top level
    std::string key;   // an object's pending key
  };

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // The JSON path of the value being read.
  std::string here() const {
    if (frames_.empty()) return "";
    const Frame& f = frames_.back();
    return f.value->is_object() ? join(f.path, f.key) : f.path + "[" + std::to_string(f.value->size()) + "]";
  }

  [[noreturn]] bool fail(const std::string& path, const std::string& message) const {
    throw InputError(source_ + ": " + (path.empty() ? "" : one_line(path, 200) + ": ") + message);
  }

  // Stores `v` where the parser is; returns the stored value.
  json* store(json&& v) {
    if (frames_.empty()) {
      result = std::move(v);
      return &result;
    }
    Frame& f = frames_.back();
    if (f.value->is_object()) return &((*f.value)[f.key] = std::move(v));
    f.value->push_back(std::move(v));
    return &f.value->back();
  }

  bool put(json&& v) {
    store(std::move(v));
    return true;
  }

  // Parent containers never grow while a child is open, so the pointers stay valid.
  bool open(json&& container) {
    if (frames_.size() >= static_cast<std::size_t>(kMaxJsonDepth))
      fail(here(), "objects and arrays nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    const std::string path = here();
    frames_.push_back({store(std::move(container)), path, ""});
    return true;
  }

  bool close() {
    frames_.pop_back();
    return true;
  }

  const std::string& text_;
  const std::string& source_;
  std::vector<Frame> frames_;
};

}  // namespace

nlohmann::json parse_bounded_json(const std::string& text, const std::string& source) {
  const std::size_t nul = text.find('\0');
  if (nul != std::string::npos)
    throw InputError(source + ": malformed JSON: a NUL byte at " + position_text(text, nul) +
                     " (JSON text cannot contain one)");
  BoundedBuilder builder(text, source);
  json::sax_parse(text, &builder);
  return std::move(builder.result);
}

}  // namespace accsim
