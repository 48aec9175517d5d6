// Helpers for walking YAML trees while collecting issues: scalar conversion
// with positions, mappings checked for duplicate and unknown keys, and a
// budget on nodes visited so aliases cannot expand into a bomb. Private header.
#ifndef TARGETING_LIB_CHECK_YAML_WALK_H_
#define TARGETING_LIB_CHECK_YAML_WALK_H_

#include "load/yaml.h"

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "load/yaml_source.h"
#include "targeting/status.h"

namespace targeting::internal {

// "did you mean 'x'?" for a misspelling within edit distance 2, or "".
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

struct MapItem {
  std::string key;
  ytree::Node key_node;
  ytree::Node value;
};

// Collects issues for one file (and, while compiling an entry, that entry's id).
class Diagnostics {
 public:
  Diagnostics(std::vector<Issue>* sink, std::size_t node_budget)
      : sink_(sink), node_budget_(node_budget) {}

  void set_file(std::string file) { file_ = std::move(file); }
  const std::string& file() const { return file_; }
  void set_entry(std::string id) { entry_ = std::move(id); }
  const std::string& entry() const { return entry_; }

  void Error(const ytree::Node& at, std::string message) { Add(Severity::kError, at, std::move(message)); }
  void Warn(const ytree::Node& at, std::string message) { Add(Severity::kWarning, at, std::move(message)); }
  void ErrorAt(int line, int column, std::string message);
  void WarnAt(int line, int column, std::string message);
  void Add(Severity severity, const ytree::Node& at, std::string message);
  std::size_t errors() const { return errors_; }

  // Counts one visited node; false (with one error) once the budget is spent.
  bool Visit(const ytree::Node& at);
  bool exhausted() const { return exhausted_; }
  void ResetBudget(std::size_t budget) {
    node_budget_ = budget;
    visited_ = 0;
    exhausted_ = false;
  }

  // Scalar helpers: each reports an error at the node and returns nullopt.
  std::optional<std::string> Scalar(const ytree::Node& n, std::string_view what);
  std::optional<bool> Bool(const ytree::Node& n, std::string_view what);
  std::optional<long long> Integer(const ytree::Node& n, std::string_view what);
  std::optional<double> Number(const ytree::Node& n, std::string_view what);

  // The items of a mapping, in order; reports a non-mapping, non-scalar keys
  // and duplicate keys. When `allowed` is non-empty, unknown keys are errors.
  // `key_noun` names an unknown key in messages ("unknown operator 'x'").
  std::optional<std::vector<MapItem>> Map(const ytree::Node& n, std::string_view what,
                                          const std::vector<std::string>& allowed = {},
                                          std::string_view key_noun = "key");
  // The elements of a sequence; reports a non-sequence.
  std::optional<std::vector<ytree::Node>> Seq(const ytree::Node& n, std::string_view what);

 private:
  std::vector<Issue>* sink_;
  std::string file_;
  std::string entry_;
  std::size_t node_budget_;
  std::size_t visited_ = 0;
  bool exhausted_ = false;
  std::size_t errors_ = 0;
};

// "a mapping", "a sequence", "a scalar", "empty" for messages.
const char* NodeKindName(const ytree::Node& n);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_CHECK_YAML_WALK_H_
