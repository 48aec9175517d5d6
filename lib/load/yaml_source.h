// Reading rule-set files and parsing them into YAML trees, turning every
// failure into an Issue with a position. Private header.
#ifndef TARGETING_LIB_LOAD_YAML_SOURCE_H_
#define TARGETING_LIB_LOAD_YAML_SOURCE_H_

#include "load/yaml.h"
#include "load/yaml_tree.h"

#include <optional>
#include <string>
#include <vector>

#include "targeting/rules.h"
#include "targeting/status.h"

namespace targeting::internal {

// Reads a whole file of at most `max_bytes`. Errors name the path.
Result<std::string> ReadFileLimited(const std::string& path, std::size_t max_bytes);

// Checks text before it reaches the YAML parser: valid UTF-8 and no NUL
// bytes. Returns an issue with the position of the first bad byte.
std::optional<Issue> CheckText(const std::string& file, const std::string& text);

// Parses `text` as exactly one YAML document. An empty document yields a null
// node and *empty = true. Errors (parse errors, several documents, nesting
// beyond yaml-cpp's guard) are appended to *issues and nullopt is returned.
std::optional<YAML::Node> ParseYaml(const std::string& file, const std::string& text,
                                    std::vector<Issue>* issues, bool* empty);

// The same, building the document as a compact ytree::Tree from parser
// events in one pass (the checker's front end): the same issues for the same
// text. The returned node points into *tree.
//
// With threads > 1, a large file whose top level is a block mapping with a
// block sequence under `rules:` is cut at the sequence's items into pieces
// parsed on that many threads, then joined into one tree with the marks the
// whole file would give. Only a cut every piece of which parses cleanly as
// one document (a prefix of the file that ends inside a quoted scalar or a
// flow collection does not; an alias to an anchor of another piece does not)
// is kept; otherwise the file is parsed whole, so the result never depends
// on `threads`.
std::optional<ytree::Node> ParseYamlTree(const std::string& file, const std::string& text,
                                         std::vector<Issue>* issues, bool* empty,
                                         ytree::Tree* tree, unsigned threads = 1,
                                         std::size_t min_piece_bytes = 256 << 10);

// The thread count CompileOptions::threads asks for (0: the cores, at most 8).
unsigned CompileThreads(unsigned requested);

// 1-based position of a node.
inline int LineOf(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }
inline int ColumnOf(const YAML::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().column + 1; }
inline int LineOf(const ytree::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }
inline int ColumnOf(const ytree::Node& n) { return n.Mark().is_null() ? 0 : n.Mark().column + 1; }

}  // namespace targeting::internal

#endif  // TARGETING_LIB_LOAD_YAML_SOURCE_H_
