#include "serve/json_body.h"

// Boost.JSON, header-only: this is the one translation unit that compiles
// its sources.
#include <boost/json/src.hpp>

namespace targeting::serve {
namespace {

namespace json = boost::json;

// A handler that keeps nothing: the parser only checks the text.
struct CheckOnly {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(std::size_t, json::error_code&) { return true; }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_key(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end of the value that starts at text[i] (a string, a scalar, or a
// nested array or object), skipping strings' contents; stops at the end of
// the text on malformed input.
std::size_t SkipValue(std::string_view text, std::size_t i) {
  std::size_t depth = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '"') {
      ++i;
      while (i < n && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
      ++i;
      if (depth == 0) return std::min(i, n);
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return i;  // the end of the enclosing container
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || c == ':' || IsSpace(c))) {
      return i;  // the end of a scalar
    }
    ++i;
  }
  return n;
}

std::size_t SkipSpace(std::string_view text, std::size_t i) {
  while (i < text.size() && IsSpace(text[i])) ++i;
  return i;
}

}  // namespace

std::string_view TrimJson(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && IsSpace(text[b])) ++b;
  while (e > b && IsSpace(text[e - 1])) --e;
  return text.substr(b, e - b);
}

namespace {

// `text` with every digit that follows an exponent mark (e or E, then an
// optional sign) made 0. The grammar does not change (digits stay digits, in
// strings too) and neither do offsets.
std::string ZeroExponents(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] != 'e' && out[i] != 'E') continue;
    std::size_t j = i + 1;
    if (j < out.size() && (out[j] == '+' || out[j] == '-')) ++j;
    for (; j < out.size() && out[j] >= '0' && out[j] <= '9'; ++j) out[j] = '0';
    i = j - 1;
  }
  return out;
}

}  // namespace

bool CheckJson(std::string_view text, JsonError* error) {
  json::parse_options options;
  options.max_depth = kMaxBodyDepth;
  json::basic_parser<CheckOnly> parser(options);
  json::error_code ec;
  std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec == json::error::exponent_overflow) {
    // RFC 8259 puts no bound on exponents, and the records' reader takes a
    // number as its text (2e-1111111111111111111116 is a code like any
    // other); Boost.JSON refuses exponents past its range. Check the same
    // text with the exponents zeroed instead.
    const std::string zeroed = ZeroExponents(text);
    json::basic_parser<CheckOnly> again(options);
    ec = {};
    used = again.write_some(false, zeroed.data(), zeroed.size(), ec);
  }
  if (ec) {
    error->offset = used;
    error->reason = ec.message();
    return false;
  }
  const std::size_t rest = SkipSpace(text, used);
  if (rest != text.size()) {
    error->offset = rest;
    error->reason = "more after the JSON value";
    return false;
  }
  return true;
}

std::vector<std::string_view> ArrayElements(std::string_view text) {
  std::vector<std::string_view> out;
  text = TrimJson(text);
  if (text.empty() || text.front() != '[') return out;
  std::size_t i = SkipSpace(text, 1);
  while (i < text.size() && text[i] != ']') {
    const std::size_t end = SkipValue(text, i);
    out.push_back(text.substr(i, end - i));
    i = SkipSpace(text, end);
    if (i < text.size() && text[i] == ',') i = SkipSpace(text, i + 1);
    else break;
  }
  return out;
}

std::vector<std::pair<std::string_view, std::string_view>> ObjectMembers(std::string_view text) {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  text = TrimJson(text);
  if (text.empty() || text.front() != '{') return out;
  std::size_t i = SkipSpace(text, 1);
  while (i < text.size() && text[i] == '"') {
    const std::size_t key_end = SkipValue(text, i);
    std::string_view key = text.substr(i, key_end - i);
    i = SkipSpace(text, key_end);
    if (i >= text.size() || text[i] != ':') break;
    i = SkipSpace(text, i + 1);
    const std::size_t end = SkipValue(text, i);
    out.emplace_back(key, text.substr(i, end - i));
    i = SkipSpace(text, end);
    if (i < text.size() && text[i] == ',') i = SkipSpace(text, i + 1);
    else break;
  }
  return out;
}

std::optional<std::string> StringValue(std::string_view value) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(value.data(), value.size()), ec);
  if (ec || !v.is_string()) return std::nullopt;
  return std::string(v.get_string());
}

std::optional<std::vector<std::string>> StringArray(std::string_view value) {
  json::error_code ec;
  json::value v = json::parse(json::string_view(value.data(), value.size()), ec);
  if (ec || !v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const json::value& e : v.get_array()) {
    if (!e.is_string()) return std::nullopt;
    out.emplace_back(e.get_string());
  }
  return out;
}

void AppendAsLine(std::string_view value, std::string* out) {
  const std::size_t start = out->size();
  out->append(value);
  for (std::size_t i = start; i < out->size(); ++i) {
    char& c = (*out)[i];
    if (c == '\n' || c == '\r') c = ' ';
  }
  out->push_back('\n');
}

}  // namespace targeting::serve
