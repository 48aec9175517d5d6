// Layout: util/ writes JSON text for every stage above it (engine stage 2 of 11).
// Writing JSON text: strings escaped per RFC 8259 (invalid UTF-8 bytes become
// U+FFFD so output is always valid JSON), numbers in shortest round-trip form.
// Private header.
#ifndef TARGETING_LIB_UTIL_JSON_WRITER_H_
#define TARGETING_LIB_UTIL_JSON_WRITER_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::internal {

void AppendJsonString(std::string_view s, std::string* out);
// An array of strings, without spaces: ["a","b"].
void AppendJsonStringArray(const std::vector<std::string>& v, std::string* out);
// `"key":`, for a key that needs no escaping (the library's own names).
void AppendJsonKey(std::string_view key, std::string* out);
// A finite number; non-finite values are written as null.
void AppendJsonNumber(double v, std::string* out);
// A number, or null when absent.
void AppendJsonNumber(std::optional<double> v, std::string* out);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_UTIL_JSON_WRITER_H_
