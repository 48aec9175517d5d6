#include "io/reasons.h"

namespace targeting::internal {

void AppendQuotedValue(std::string_view value, std::string* out) {
  bool cut = false;
  if (value.size() > kQuotedValueBytes) {
    std::size_t n = kQuotedValueBytes;
    // Back up over continuation bytes so a character is never split.
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0) == 0x80) --n;
    value = value.substr(0, n);
    cut = true;
  }
  out->push_back('"');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (u < 0x20 || u == 0x7F) {
          static constexpr char kHex[] = "0123456789abcdef";
          out->append("\\x");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 0xF]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
  if (cut) out->append("...");
}

std::string LimitReason(std::string_view what, std::string_view limit, std::size_t value) {
  std::string s(what);
  s += " is longer than ";
  s += limit;
  s += " (";
  s += std::to_string(value);
  s += ')';
  return s;
}

}  // namespace targeting::internal
