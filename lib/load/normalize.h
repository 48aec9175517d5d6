// Normalization of values by field type (SPEC section 2). Private header.
#ifndef TARGETING_LIB_LOAD_NORMALIZE_H_
#define TARGETING_LIB_LOAD_NORMALIZE_H_

#include <optional>
#include <string>
#include <string_view>

#include "targeting/record.h"

namespace targeting::internal {

// Appends the code form: ASCII letters upper-cased, everything but A-Z0-9 removed.
void AppendCode(std::string_view raw, std::string* out);
// Appends the name form: upper-cased words of A-Z0-9, one space between,
// trailing legal suffixes (CO, LTD, ...) dropped while more than one word remains.
void AppendName(std::string_view raw, std::string* out);
// Appends the address form: upper-cased words of A-Z0-9, one space between,
// each word of USPS Publication 28's table (STREET, NORTH, SUITE, ...) replaced
// by its abbreviation, then each adjacent pair `P O` or `POST OFFICE` written
// as the one word `PO`.
void AppendAddress(std::string_view raw, std::string* out);
// The strict number grammar of SPEC section 2; nullopt on anything else,
// including values that overflow to infinity. Spaces around are trimmed by the caller.
std::optional<double> ParseNumber(std::string_view text);
// Trims ASCII spaces and tabs at both ends.
std::string_view TrimSpaces(std::string_view s);
// ASCII-only lower-casing of one byte; other bytes pass through.
inline char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
// Case-insensitive (ASCII) substring search; `needle_lower` must already be lower-cased.
bool ContainsFolded(std::string_view haystack, std::string_view needle_lower);
void AppendLowerAscii(std::string_view s, std::string* out);
// Valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). On failure *bad_offset
// is the byte offset of the first bad sequence.
bool IsValidUtf8(std::string_view s, std::size_t* bad_offset = nullptr);
// A number in its shortest round-trip form ("70", "12.5", "1e+21").
std::string FormatNumber(double value);
void AppendNumber(double value, std::string* out);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_LOAD_NORMALIZE_H_
