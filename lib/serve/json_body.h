// Request bodies: checking that a body is one JSON value (with the byte
// offset and reason when it is not), and cutting a checked value into the
// raw text of its array elements or object members, so that each record is
// read by the library's own JSON Lines reader exactly as `targeting score`
// reads a line.
#ifndef TARGETING_LIB_SERVE_JSON_BODY_H_
#define TARGETING_LIB_SERVE_JSON_BODY_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace targeting::serve {

// Arrays and objects nested deeper than this make the body malformed. It is
// above the JSON Lines reader's own limit (1024 levels in a record), so that
// a deep record in a batch is that record's reject, not the batch's.
inline constexpr std::size_t kMaxBodyDepth = 1100;

struct JsonError {
  std::size_t offset = 0;  // bytes from the start of the body
  std::string reason;
};

// True when `text` is exactly one JSON value (RFC 8259, UTF-8), surrounded
// by nothing but whitespace; otherwise false with *error. Boost.JSON's
// strict parser decides.
bool CheckJson(std::string_view text, JsonError* error);

// `text` without the JSON whitespace around it.
std::string_view TrimJson(std::string_view text);

// Precondition for the two below: CheckJson(text) holds. On any other input
// they return nothing useful but stay within `text`.
// The raw text of each element of a top-level array, in order.
std::vector<std::string_view> ArrayElements(std::string_view text);
// The raw text of each member of a top-level object: the key as written
// (with its quotes) and the value.
std::vector<std::pair<std::string_view, std::string_view>> ObjectMembers(std::string_view text);

// A checked JSON string's value (unescaped); nullopt when `value` is not a string.
std::optional<std::string> StringValue(std::string_view value);
// A checked JSON array of strings; nullopt when it is anything else.
std::optional<std::vector<std::string>> StringArray(std::string_view value);

// Appends a checked JSON value as one line: line ends become spaces (in
// valid JSON they can only be whitespace between tokens), then "\n".
void AppendAsLine(std::string_view value, std::string* out);

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_JSON_BODY_H_
