// Writing JSON and numbers as the library's outputs do (SPEC sections 5 and
// 6), for programs that write records, rejects or reports of their own
// beside them. Free functions; thread-safe.
#ifndef TARGETING_JSON_H_
#define TARGETING_JSON_H_

#include <optional>
#include <string>
#include <string_view>

namespace targeting {

// Appends `s` as a JSON string, escaped per RFC 8259; invalid UTF-8 bytes
// become U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string_view s, std::string* out);
// Appends a number in its shortest round-trip form; a non-finite value, or
// no value, is written as null.
void AppendJsonNumber(double v, std::string* out);
void AppendJsonNumber(std::optional<double> v, std::string* out);
// A number in its shortest round-trip form ("70", "12.5", "1e+21"), as
// scores and reports print it.
std::string FormatNumber(double value);

}  // namespace targeting

#endif  // TARGETING_JSON_H_
