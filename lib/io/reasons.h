// Wording shared by the CSV and JSON Lines readers' rejects. Private header.
#ifndef TARGETING_LIB_IO_REASONS_H_
#define TARGETING_LIB_IO_REASONS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace targeting::internal {

// The longest part of an offending value that a reason quotes, in bytes.
inline constexpr std::size_t kQuotedValueBytes = 40;

// Appends `value` in double quotes with `"`, `\` and control bytes escaped
// (\n, \r, \t, \xNN), cut to kQuotedValueBytes at a UTF-8 boundary and
// followed by "..." when cut. `value` should be valid UTF-8.
void AppendQuotedValue(std::string_view value, std::string* out);

// "field NAME is longer than max_field_bytes (N)" and the like.
std::string LimitReason(std::string_view what, std::string_view limit, std::size_t value);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_IO_REASONS_H_
