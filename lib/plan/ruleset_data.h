// Layout: plan/ is the compiled rule set: predicates, conditions, entries (engine stage 4 of 11).
// The compiled form of a rule set, shared by every stage after checking.
// Private header.
#ifndef TARGETING_LIB_PLAN_RULESET_DATA_H_
#define TARGETING_LIB_PLAN_RULESET_DATA_H_

#include <re2/re2.h>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <boost/container_hash/hash.hpp>
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/record.h"
#include "targeting/rules.h"

namespace targeting::internal {

class MatchIndex;  // index/match_index.h

// Hashing that lets string sets be probed with a string_view (no allocation).
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return boost::hash<std::string_view>()(s);
  }
};
using StringSet = boost::unordered_flat_set<std::string, StringHash, std::equal_to<>>;

// The positive operator families. `ne`, `not_in` and `exists: false` compile
// to a `not` over eq, in and exists, which is exactly their definition.
enum class Op : std::uint8_t {
  kEq,
  kIn,
  kPrefix,
  kContains,
  kContainsAny,
  kRegex,
  kLt,
  kLe,
  kGt,
  kGe,
  kBetween,
  kExists,
  kEffective,  // the entry's `effective` window over the schema's date field
  kSimilar,    // Jaro-Winkler >= nums[0] with one of strs (SPEC section 4)
  kAggregate,  // a test on an aggregate's measure (SPEC section 8; plan/aggregate.h)
};
const char* OpName(Op op);

// One numeric test on an aggregate's measure: eq ne lt le gt ge between.
struct MeasureTest {
  enum class Kind : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe, kBetween };
  Kind kind = Kind::kEq;
  double a = 0, b = 0;  // the operand; between: [a, b]
};

// One distinct aggregate (SPEC section 8): by, days, where, measure and field.
// It is the unit of stream state, shared by every aggregate condition that
// names it whatever its test.
struct AggregateDef {
  enum class Measure : std::uint8_t { kCount, kSum, kDistinct };
  std::vector<int> by;  // fields, as written
  int days = 1;
  int where = -1;  // condition node, -1 when every record of the key counts
  Measure measure = Measure::kCount;
  int field = -1;  // sum and distinct
  std::string key;  // canonical text: identity in state files and the fingerprint
  std::string label;  // how it reads, for explain and notes
};

// One distinct (field, operator, operand) test, interned once per rule set.
struct Predicate {
  int field = -1;  // -1 only for kEffective when the schema has no date field
  Op op = Op::kEq;
  FieldType type = FieldType::kString;
  // Normalized operands. For contains / contains_any they are ASCII
  // lower-cased; for regex they are the patterns as written.
  std::vector<std::string> strs;
  // Numeric operands: eq/in values, lt..ge bound, between [low, high];
  // for similar, its min.
  std::vector<double> nums;
  // Hash sets of the operands of an `in` with at least kHashedFrom of them.
  // A smaller `in` is searched in strs / nums, which are sorted and
  // distinct: a set of strings takes at least ~500 bytes even for two, and
  // most `in`s are short (at 100k rules the sets were a quarter of the
  // compiled size).
  struct OperandSets {
    StringSet strs;
    boost::unordered_flat_set<double> nums;
  };
  static constexpr std::size_t kHashedFrom = 16;
  std::unique_ptr<const OperandSets> sets;
  std::vector<std::unique_ptr<RE2>> regexes;
  std::optional<Days> from, until;  // kEffective
  // Canonical text: identity while compiling, and the fingerprint. Held
  // only while compiling (RuleSetData::DropPredicateKeys), except for an
  // aggregate's: PredicateCanonicalKey gives any predicate's.
  std::string key;
  // kAggregate: index into RuleSetData::aggregates, and the tests on its
  // measure, all of which must hold.
  int aggregate = -1;
  std::vector<MeasureTest> measure_tests;

  // Whether `v` is one of an `in`'s operands.
  bool InStrings(std::string_view v) const {
    if (sets) return sets->strs.contains(v);
    return std::binary_search(strs.begin(), strs.end(), v, std::less<>());
  }
  bool InNumbers(double v) const {
    if (sets) return sets->nums.contains(v == 0 ? 0.0 : v);
    // NaN is in no set: every comparison with it is false, so
    // binary_search would report it found.
    return v == v && std::binary_search(nums.begin(), nums.end(), v);
  }
  // Builds `sets` when an `in` has kHashedFrom operands or more.
  void BuildOperandSets();
};

struct Node {
  enum class Kind : std::uint8_t { kAll, kAny, kNot, kAtLeast, kLeaf };
  Kind kind = Kind::kLeaf;
  int at_least = 0;
  int pred = -1;  // kLeaf
  std::uint32_t first_child = 0;
  std::uint32_t child_count = 0;
  // Where the node was written, and how it reads there (for explain): an
  // index into RuleSetData::labels, where each distinct text is held once.
  int line = 0;
  int column = 0;
  std::uint32_t label = 0;
};

struct TestCase {
  bool fires = true;
  int index = 0;  // 1-based within its list
  int line = 0;
  int column = 0;
  Record record;
  // `{sequence: [R1, ..., Rn]}`: R1 .. Rn-1, streamed before `record` (Rn).
  std::vector<Record> before;
};

// What scoring needs of an entry, parallel to RuleSetData::entries.
struct EntryCode {
  int root = -1;  // the condition with scope and effective joined by AND
  int when = -1;  // the `when` condition alone
  std::vector<TestCase> tests;
};

struct RuleSetData {
  explicit RuleSetData(Schema s);

  Schema schema;
  RuleSetConfig config;
  std::vector<EntryInfo> entries;  // sorted by id
  std::vector<EntryCode> code;     // parallel to entries
  std::vector<Predicate> predicates;
  std::vector<Node> nodes;
  std::vector<std::uint32_t> children;  // node ids, by Node::first_child/child_count
  std::vector<std::string> labels;      // by Node::label; each text once; [0] is ""
  const std::string& LabelOf(const Node& n) const { return labels[n.label]; }
  boost::unordered_flat_map<std::string, int> entry_by_id;
  std::vector<int> scored;  // indices of active and shadow entries, ascending
  std::vector<AggregateDef> aggregates;  // distinct aggregates, in the order first compiled
  std::string fingerprint;
  // Built last by the index stage (index/match_index.h), which this stage does
  // not know: a shared_ptr needs no complete type to be destroyed.
  std::shared_ptr<const MatchIndex> index;  // null only while building

  RuleSetData(const RuleSetData&) = delete;
  RuleSetData& operator=(const RuleSetData&) = delete;
  // Frees every predicate's key but an aggregate's, once compiling no longer
  // looks predicates up by key (about a tenth of a compiled set's bytes).
  void DropPredicateKeys();
  ~RuleSetData();
};

// A predicate's canonical text (field|op|operands), whether or not its key
// is still held: the fingerprint's and RuleSet::canonical()'s.
std::string PredicateCanonicalKey(const RuleSetData& data, const Predicate& p);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_PLAN_RULESET_DATA_H_
