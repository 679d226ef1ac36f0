#include "arch/json_excerpt.h"

namespace accsim {

namespace {

using nlohmann::json;

// A JSON string literal of `text`; invalid UTF-8 (from a cut) becomes U+FFFD.
std::string literal(const std::string& text) {
  return json(text).dump(-1, ' ', false, json::error_handler_t::replace);
}

// Appends `v` to `out` until `out` exceeds `limit`: every level adds a character before
// it descends, so the recursion is at most `limit` deep.
void append(const json& v, std::string& out, std::size_t limit) {
  if (out.size() > limit) return;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    out += literal(s.substr(0, limit - out.size() + 1));
    return;
  }
  if (!v.is_structured()) {
    out += v.dump();  // numbers, booleans, null: short
    return;
  }
  const bool object = v.is_object();
  out += object ? '{' : '[';
  bool first = true;
  for (auto it = v.begin(); it != v.end() && out.size() <= limit; ++it) {
    if (!first) out += ", ";
    first = false;
    if (object) out += literal(it.key().substr(0, limit)) + ": ";
    append(it.value(), out, limit);
  }
  out += object ? '}' : ']';
}

// Cuts `text` to `max_chars`, "..." included, never inside a UTF-8 sequence.
std::string cut(std::string text, std::size_t max_chars) {
  if (text.size() <= max_chars) return text;
  std::size_t end = max_chars > 3 ? max_chars - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

}  // namespace

std::string json_excerpt(const json& value, std::size_t max_chars) {
  std::string out;
  append(value, out, max_chars);
  return cut(std::move(out), max_chars);
}

std::string quoted_excerpt(const std::string& text, std::size_t max_chars) {
  return cut(literal(text.substr(0, max_chars)), max_chars);
}

std::string one_line(const std::string& message, std::size_t max_chars) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (const char ch : message) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) out += std::string("\\u00") + kHex[c >> 4] + kHex[c & 15];
    else out += ch;
  }
  if (out.size() <= max_chars) return out;
  const std::size_t total = out.size();
  out = cut(std::move(out), max_chars);
  return out + " (" + std::to_string(total - out.size() + 3) + " more characters cut)";
}

}  // namespace accsim
