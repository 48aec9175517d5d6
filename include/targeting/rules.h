// Compiling rule sets (SPEC sections 1, 3 and 4).
#ifndef TARGETING_RULES_H_
#define TARGETING_RULES_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/record.h"
#include "targeting/status.h"

namespace targeting {

namespace internal {
struct RuleSetData;
}  // namespace internal

enum class EntryKind : std::uint8_t { kRule, kQuery };
enum class EntryStatus : std::uint8_t { kActive, kShadow, kDraft, kRetired };
enum class Lane : std::uint8_t { kGreen, kYellow, kRed };

const char* EntryKindName(EntryKind kind);      // "rule", "query"
const char* EntryStatusName(EntryStatus status);  // "active", ...
const char* LaneName(Lane lane);                // "green", ...
// The inverse of the names above; nullopt for any other text.
std::optional<EntryKind> EntryKindFromName(std::string_view name);
std::optional<EntryStatus> EntryStatusFromName(std::string_view name);

// The largest max_condition_depth a compiler accepts: conditions are walked
// recursively, and deeper nesting (through aliases, say) could exhaust the
// stack.
inline constexpr int kMaxConditionDepthCeiling = 1000;

// Resource limits, each enforced with an error that names the limit.
// Defaults are documented in docs/rule-language.md ("Limits").
struct Limits {
  std::size_t max_entries = 1'000'000;          // entries in a rule set
  int max_condition_depth = 64;                 // nesting of all/any/not/at_least; 1..kMaxConditionDepthCeiling
  std::size_t max_condition_nodes = 10'000;     // condition nodes per entry
  std::size_t max_list_size = 100'000;          // elements in a named list or an operand sequence
  int max_regex_program_size = 10'000;          // RE2 program size of one pattern
  std::int64_t regex_max_mem = 8 << 20;         // RE2 memory budget of one pattern (bytes)
  std::int64_t regex_set_max_mem = 64 << 20;    // RE2::Set memory budget of one set (bytes)
  std::size_t max_file_bytes = 64 << 20;        // size of one rule, schema or list file
  std::size_t max_yaml_nodes = 5'000'000;       // YAML nodes visited per file (alias bombs)
  std::size_t max_tests_per_entry = 1'000;      // inline test records per entry
};

struct CompileOptions {
  Limits limits;
  // Threads that parse and compile rule files; 0 picks the machine's cores
  // (at most 8). The rule set, its fingerprint and its issues (their order
  // too) are the same for every value.
  unsigned threads = 0;
};

struct PromotionCriteria {
  int min_examined = 30;
  double min_discrepancy_rate = 0.20;
  double confidence = 0.95;
  int min_ports = 2;
  int min_new_discrepant = 1;
};

// What `targeting scorecard` judges entries by (targeting.yaml `scorecard:`;
// docs/measurement.md, "Scorecard").
struct ScorecardCriteria {
  std::string by = "month";         // periods for decay and idleness: week or month
  std::uint64_t idle_periods = 3;   // retire: no fire in the last N periods
  double redundant_jaccard = 0.8;   // tune: fires with another entry this much, finding nothing alone
  int min_examined = 30;            // fewer exams: keep measuring, too few to judge
  bool given = false;               // written in targeting.yaml (then part of the fingerprint)
};

// The configuration of targeting.yaml (SPEC section 1), with its defaults.
struct RuleSetConfig {
  double red = 60;
  double yellow = 30;
  double sampling_rate = 0;
  std::string salt;
  std::vector<std::string> priorities;
  PromotionCriteria promotion;
  ScorecardCriteria scorecard;
};

// What users see of one entry. Value type.
struct EntryInfo {
  std::string id;
  EntryKind kind = EntryKind::kRule;
  int version = 1;
  EntryStatus status = EntryStatus::kActive;
  double weight = 0;
  std::vector<std::string> priorities;
  std::string name;
  std::string description;
  std::string owner;
  std::string promoted_from;
  std::string file;  // where the entry is defined
  int line = 0;
  int column = 0;
  // True when the entry has no predicate the index can use and is verified on
  // every record (`check` warns about it).
  bool always_verify = false;
};

// A compiled rule set. Immutable after Compiler::Build(); thread-safe; share it
// as std::shared_ptr<const RuleSet>. Retired entries are not part of it.
class RuleSet {
 public:
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  const Schema& schema() const;
  const RuleSetConfig& config() const;
  // Active, shadow and draft entries, sorted by id (byte order).
  const std::vector<EntryInfo>& entries() const;
  // Index into entries(), or -1.
  int FindEntry(std::string_view id) const;
  // "sha256:" followed by 64 hex digits, over the normalized content.
  const std::string& fingerprint() const;
  // The canonical text the fingerprint is taken over, written when asked
  // (it is not kept: ~20 MB at 100k rules).
  std::string canonical() const;
  // The distinct aggregates of SPEC section 8 (by, days, where, measure,
  // field), each the unit of stream state; how each reads, for messages.
  std::size_t aggregate_count() const;
  std::string aggregate_label(std::size_t i) const;

  // For the library's own stages.
  const internal::RuleSetData& data() const { return *data_; }
  explicit RuleSet(std::unique_ptr<internal::RuleSetData> data);

 private:
  std::unique_ptr<internal::RuleSetData> data_;
};

// How the files of a source take part in the rule set.
enum class SourceRole {
  kConfig,  // targeting.yaml: configuration, lists (and rules)
  kRules,   // a rule file: rules and lists
  kSingle,  // a single-file rule set: configuration, lists and rules
  kData,    // any other file a rule set refers to: a list file or a schema file
};

struct CompileResult {
  std::shared_ptr<const RuleSet> rule_set;  // null when there are errors
  std::vector<Issue> issues;                // errors and warnings, in file order
  Status status;                            // a system failure (unreadable path)

  bool ok() const { return rule_set != nullptr; }
  std::size_t error_count() const;
  std::size_t warning_count() const;
};

// Builds a RuleSet from files or strings. Not thread-safe; use one per thread.
// Single use: call Add* any number of times, then Build() once.
class Compiler {
 public:
  explicit Compiler(CompileOptions options = {});
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  // Adds a rule set on disk: a directory (targeting.yaml, *.yaml and *.yml
  // searched recursively, read in byte order of their relative paths) or a
  // single YAML file. Returns a non-ok status when the path cannot be read.
  Status AddPath(const std::string& path);
  // Adds one file held in memory. List and schema files referred to by name
  // are looked up among kData sources first, then on disk relative to the
  // referring file.
  void AddSource(std::string name, std::string text, SourceRole role);

  CompileResult Build();

  struct Impl;  // opaque

 private:
  std::unique_ptr<Impl> impl_;
};

// Convenience: compiles a directory or a single file.
CompileResult CompilePath(const std::string& path, CompileOptions options = {});
// Convenience: compiles one single-file rule set held in memory.
CompileResult CompileString(std::string_view yaml, std::string name = "<string>",
                            CompileOptions options = {});

// One failed inline test (SPEC section 3, `tests`).
struct TestFailure {
  std::string entry_id;
  std::string file;
  int line = 0;
  int column = 0;
  bool expected_fire = true;  // a `fires` test that did not fire, or a `not_fires` that did
  int index = 0;              // 1-based position in its `fires` / `not_fires` list
  int sequence = 0;           // a `{sequence: [...]}` item: its number of records (else 0)
  std::string ToString() const;
};

struct TestReport {
  std::size_t run = 0;
  std::vector<TestFailure> failures;
};

// Runs every inline test of every entry (active, shadow and draft) with the
// reference evaluator; `as_of` stands in for a missing date (SPEC section 3).
// Each test item is a stream of its own (SPEC section 8): one record, or the
// records of a `{sequence: [...]}`, the assertion being about the last.
TestReport RunInlineTests(const RuleSet& rules, Days as_of);

// An inline test on which the indexed matcher and the reference evaluator
// disagree: a bug in the library, never in the rules.
struct TestDisagreement {
  TestFailure test;  // which test; expected_fire is what the test expects
  bool indexed_fires = false;
  bool reference_fires = false;
  // "FILE:LINE:COL: internal error: [ID] fires[N]: the indexed matcher says
  // ..., the reference says ...; please report this"
  std::string ToString() const;
};

// Runs every inline test of the active and shadow entries through the
// indexed matcher as well as the reference, and returns where they differ
// (normally nothing). Thread-safe, like scoring.
std::vector<TestDisagreement> CrossCheckInlineTests(const RuleSet& rules, Days as_of);

}  // namespace targeting

#endif  // TARGETING_RULES_H_
