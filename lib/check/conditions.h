// Compiles `when` conditions, scope and effective into interned predicates
// and condition nodes (SPEC sections 3 and 4). Private header.
#ifndef TARGETING_LIB_CHECK_CONDITIONS_H_
#define TARGETING_LIB_CHECK_CONDITIONS_H_

#include "load/yaml.h"

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <map>
#include <string>
#include <vector>

#include "check/yaml_walk.h"
#include "plan/ruleset_data.h"

namespace targeting::internal {

struct ListItem {
  std::string value;
  std::string file;
  int line = 0;
  int column = 0;
};

struct NamedList {
  std::string name;
  std::string file;  // where it is defined
  int line = 0;
  int column = 0;
  std::vector<ListItem> items;
};

// Ids of texts held elsewhere (a predicate's key, a label), found by text:
// the set holds each id with 32 bits of its text's hash (so that growing the
// set reads no text), not copies of the texts. `Text` maps an id to its
// text; the texts must not change while the set holds their ids.
template <class Text>
class TextIds {
 public:
  explicit TextIds(Text text) : set_(0, Hash{}, Eq{text}) {}
  // The id whose text is `s`, or -1.
  long long Find(std::string_view s) const {
    auto it = set_.find(Probe{s, Hash32(s)});
    return it == set_.end() ? -1 : static_cast<long long>(*it & 0xffffffffu);
  }
  // `id`'s text must not be in the set yet.
  void Insert(std::uint32_t id, std::string_view text) {
    set_.insert(std::uint64_t{Hash32(text)} << 32 | id);
  }

 private:
  struct Probe {
    std::string_view text;
    std::uint32_t hash;
  };
  static std::uint32_t Hash32(std::string_view s) {
    const std::size_t h = StringHash()(s);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
  }
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::uint64_t e) const { return e >> 32; }
    std::size_t operator()(const Probe& p) const { return p.hash; }
  };
  struct Eq {
    using is_transparent = void;
    Text text;
    bool operator()(std::uint64_t a, std::uint64_t b) const { return a == b; }
    bool operator()(const Probe& p, std::uint64_t e) const {
      return p.hash == e >> 32 && p.text == text(static_cast<std::uint32_t>(e));
    }
    bool operator()(std::uint64_t e, const Probe& p) const { return (*this)(p, e); }
  };
  boost::unordered_flat_set<std::uint64_t, Hash, Eq> set_;
};

class ConditionCompiler {
 public:
  ConditionCompiler(RuleSetData* data, const Limits& limits,
                    const std::map<std::string, NamedList>* lists, Diagnostics* diag);

  // Starts a new entry: resets the per-entry node count.
  void BeginEntry();

  // Compiles a condition mapping; -1 after reporting errors.
  int Compile(const ytree::Node& cond);
  // `scope.ports` / `scope.modes`: an `in` over the schema's port / mode field.
  int ScopeIn(int field, const ytree::Node& values, const std::string& what);
  // `effective`: the window over the schema's date field.
  int Effective(std::optional<Days> from, std::optional<Days> until, const ytree::Node& at);
  // An `all` over the given nodes (or the single node itself).
  int AllOf(const std::vector<int>& nodes, const ytree::Node& at, std::string label = "all");

 private:
  int CompileNode(const ytree::Node& cond, int depth);
  int CompileFieldTest(const MapItem& item, int depth);
  // `{aggregate: {...}}` (SPEC section 8), in check/aggregate_condition.cc.
  int CompileAggregate(const MapItem& item, int depth);
  bool ReadMeasureTests(const std::vector<MapItem>& items, const std::string& what,
                        std::vector<MeasureTest>* tests, std::string* text);
  std::string ConditionKey(int node) const;
  int CompileOperator(int field, const std::string& op, const ytree::Node& op_node,
                      const ytree::Node& operand);
  int AddNode(Node node, const std::vector<int>& children);
  // The id of `text` in RuleSetData::labels, added once.
  std::uint32_t Label(std::string text);
  // The id of PredicateLabel(predicate pid), made and interned once: a
  // predicate reads the same wherever it is written.
  std::uint32_t PredicateLabelId(int pid);
  int Intern(Predicate pred);
  // Warns about a country literal that is not ISO 3166 alpha-2, or a tariff
  // literal that is not (a prefix of) a real HS 2022 code.
  void WarnOnReferenceData(const std::string& field, const std::string& value,
                           const std::string& raw, Op op, const ytree::Node& at,
                           const ListItem* from_list);

  // Operand readers; each reports its errors and returns false.
  // The parts of `similar: {to: OPERANDS, min: X}`: appends X to *min and
  // sets *to; false (reported) when a key is unknown or missing or min is
  // not a number in (0, 1].
  bool ReadSimilar(const ytree::Node& operand, std::vector<double>* min, ytree::Node* to);
  bool ReadStrings(int field, const std::string& op, const ytree::Node& operand, bool allow_scalar,
                   bool allow_seq, bool allow_list, std::vector<std::string>* raw,
                   std::vector<ytree::Node>* at, std::vector<const ListItem*>* from_list);
  bool NormalizeOperands(int field, const std::string& op, Predicate* pred,
                         const std::vector<std::string>& raw, const std::vector<ytree::Node>& at,
                         const std::vector<const ListItem*>& from_list);

  RuleSetData* data_;
  const Limits& limits_;
  const std::map<std::string, NamedList>* lists_;
  Diagnostics* diag_;
  struct PredicateKey {
    const RuleSetData* data;
    std::string_view operator()(std::uint32_t id) const { return data->predicates[id].key; }
  };
  struct LabelText {
    const RuleSetData* data;
    std::string_view operator()(std::uint32_t id) const { return data->labels[id]; }
  };
  // The predicate with a canonical key, if interned; -1 otherwise.
  int FindPredicate(std::string_view key) const {
    return static_cast<int>(pred_by_key_.Find(key));
  }
  // Appends `pred` (whose key is not interned) and returns its id.
  int AddPredicate(Predicate pred);
  TextIds<PredicateKey> pred_by_key_;
  TextIds<LabelText> label_ids_;
  static constexpr std::uint32_t kNoLabel = 0xffffffffu;
  std::vector<std::uint32_t> pred_label_;  // by predicate: its label's id, or kNoLabel
  boost::unordered_flat_map<std::string, int> aggregate_by_key_;
  bool in_where_ = false;  // compiling an aggregate's `where`
  std::size_t entry_nodes_ = 0;
  bool node_limit_reported_ = false;
};

// Whether the condition at `node` holds an aggregate leaf (SPEC section 8).
bool UsesAggregate(const RuleSetData& data, int node);

// The label a field test shows in explain output, e.g. `hts_code prefix ["420221"]`.
std::string PredicateLabel(const RuleSetData& data, const Predicate& p);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_CHECK_CONDITIONS_H_
