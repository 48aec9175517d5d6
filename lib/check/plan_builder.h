// The builder behind CheckAndPlan (check/compiler.h): the state of one
// check of a rule set, shared by the files that read its parts. Private
// header of the check stage.
#ifndef TARGETING_LIB_CHECK_PLAN_BUILDER_H_
#define TARGETING_LIB_CHECK_PLAN_BUILDER_H_

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "check/compiler.h"
#include "check/conditions.h"
#include "check/yaml_walk.h"
#include "load/sources.h"
#include "load/yaml_source.h"
#include "load/yaml_tree.h"
#include "plan/ruleset_data.h"

namespace targeting::internal::checking {

// An entry as parsed from YAML, before it is compiled.
struct RawEntry {
  EntryInfo info;
  ytree::Node node;
  std::optional<ytree::Node> when;
  std::optional<ytree::Node> scope;
  std::optional<ytree::Node> effective;
  std::optional<ytree::Node> tests;
  bool envelope_ok = true;
};

struct ParsedFile {
  const Source* source;
  std::unique_ptr<ytree::Tree> tree;  // the nodes below point into it
  ytree::Node root;
  std::vector<MapItem> items;
};

// A file parsed into a tree, before the checker reads it (which may happen
// on another thread): its issues are the parser's.
struct PreParsed {
  std::unique_ptr<ytree::Tree> tree;
  std::optional<ytree::Node> root;
  bool empty = false;
  std::vector<Issue> issues;
};

// Everything CheckAndPlan needs while it runs: reads the configuration
// (config_reader.cc), the entries (entry_reader.cc) and plans them
// (compiler.cc). Not thread-safe; one per run.
class Builder {
 public:
  explicit Builder(const SourceSet* set)
      : set_(set),
        limits_(set->options.limits),
        diag_(&issues_, set->options.limits.max_yaml_nodes),
        threads_(internal::CompileThreads(set->options.threads)) {}

  Plan Run();
  // What was reported so far: for a run that ended in an exception.
  const std::vector<Issue>& issues() const { return issues_; }

 private:
  std::optional<ParsedFile> Parse(const Source& source);
  std::optional<ParsedFile> Parse(const Source& source, PreParsed pre);
  void ReadConfig(const ParsedFile& file);
  std::optional<Schema> ReadSchema(const ytree::Node& value);
  void ReadLists(const ParsedFile& file, const ytree::Node& lists);
  void ReadRules(const ParsedFile& file, const ytree::Node& rules);
  void ReadEntry(const ParsedFile& file, const ytree::Node& node);
  void CompileEntry(RawEntry& raw, internal::ConditionCompiler& cc,
                    std::vector<std::pair<EntryInfo, internal::EntryCode>>* out);
  void CompileTests(RawEntry& raw, internal::EntryCode* code);
  // One test record's fields into *record; false after reporting errors.
  bool ReadTestRecord(const ytree::Node& rec, const std::string& where, Record* record);
  std::optional<Days> ReadDate(const ytree::Node& n, const std::string& what);

  const SourceSet* set_;
  std::vector<Issue> issues_;
  const Limits& limits_;
  Diagnostics diag_;
  RuleSetConfig config_;
  std::optional<Schema> schema_;
  std::string schema_source_;  // where a custom schema came from
  std::map<std::string, NamedList> lists_;
  // Read, then compiled and dropped one by one from the front, so that their
  // storage is reused by the compiled set as it grows.
  std::deque<RawEntry> entries_;
  // id -> (file, line); the file is its Source's name
  boost::unordered_flat_map<std::string, std::pair<const std::string*, int>> seen_ids_;
  std::unique_ptr<internal::RuleSetData> data_;
  std::set<std::string> data_keys_;  // list files: never read as rule files
  bool too_many_entries_ = false;
  unsigned threads_ = 1;
};

}  // namespace targeting::internal::checking

#endif  // TARGETING_LIB_CHECK_PLAN_BUILDER_H_
