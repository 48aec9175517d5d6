#include "util/json_writer.h"

#include "targeting/json.h"

#include <cmath>

#include "load/normalize.h"

namespace targeting::internal {

void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // Copy one valid UTF-8 sequence, or replace one bad byte.
      std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      std::size_t bad = 0;
      if (len > 1 && i + len <= s.size() && IsValidUtf8(s.substr(i, len), &bad)) {
        out->append(s.substr(i, len));
        i += len;
      } else {
        out->append("\\ufffd");
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

void AppendJsonStringArray(const std::vector<std::string>& v, std::string* out) {
  out->push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out->push_back(',');
    AppendJsonString(v[i], out);
  }
  out->push_back(']');
}

void AppendJsonKey(std::string_view key, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

void AppendJsonNumber(double v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null");
    return;
  }
  AppendNumber(v, out);
}

void AppendJsonNumber(std::optional<double> v, std::string* out) {
  if (!v) {
    out->append("null");
    return;
  }
  AppendJsonNumber(*v, out);
}

}  // namespace targeting::internal

namespace targeting {

void AppendJsonString(std::string_view s, std::string* out) { internal::AppendJsonString(s, out); }
void AppendJsonNumber(double v, std::string* out) { internal::AppendJsonNumber(v, out); }
void AppendJsonNumber(std::optional<double> v, std::string* out) {
  internal::AppendJsonNumber(v, out);
}
std::string FormatNumber(double value) { return internal::FormatNumber(value); }

}  // namespace targeting
