// RuleSet accessors and the small vocabulary shared by the public API.
#include "load/normalize.h"
#include "plan/fingerprint.h"
#include "plan/ruleset_data.h"
#include "targeting/rules.h"

namespace targeting {

namespace internal {

// Label 0, which a node gets unless given one, reads as nothing.
RuleSetData::RuleSetData(Schema s) : schema(std::move(s)), labels(1) {}
RuleSetData::~RuleSetData() = default;

std::string PredicateCanonicalKey(const RuleSetData& data, const Predicate& p) {
  if (!p.key.empty() || p.op == Op::kAggregate) return p.key;
  std::string key = p.field >= 0 ? data.schema.field(p.field).name : std::string("-");
  key += '|';
  key += OpName(p.op);
  key += '|';
  if (p.op == Op::kEffective) {
    key += p.from ? FormatDate(*p.from) : std::string("*");
    key += '|';
    key += p.until ? FormatDate(*p.until) : std::string("*");
    return key;
  }
  for (const std::string& s : p.strs) {
    key += std::to_string(s.size());
    key += ':';
    key += s;
  }
  for (double d : p.nums) {
    key += FormatNumber(d);
    key += ';';
  }
  return key;
}

void RuleSetData::DropPredicateKeys() {
  for (Predicate& p : predicates) {
    if (p.op != Op::kAggregate) std::string().swap(p.key);
  }
}

void Predicate::BuildOperandSets() {
  if (strs.size() < kHashedFrom && nums.size() < kHashedFrom) return;
  auto s = std::make_unique<OperandSets>();
  for (const std::string& v : strs) s->strs.insert(v);
  for (double d : nums) s->nums.insert(d == 0 ? 0.0 : d);
  sets = std::move(s);
}

const char* OpName(Op op) {
  switch (op) {
    case Op::kEq: return "eq";
    case Op::kIn: return "in";
    case Op::kPrefix: return "prefix";
    case Op::kContains: return "contains";
    case Op::kContainsAny: return "contains_any";
    case Op::kRegex: return "regex";
    case Op::kLt: return "lt";
    case Op::kLe: return "le";
    case Op::kGt: return "gt";
    case Op::kGe: return "ge";
    case Op::kBetween: return "between";
    case Op::kExists: return "exists";
    case Op::kEffective: return "effective";
    case Op::kSimilar: return "similar";
    case Op::kAggregate: return "aggregate";
  }
  return "?";
}

}  // namespace internal

const char* EntryKindName(EntryKind kind) { return kind == EntryKind::kQuery ? "query" : "rule"; }

const char* EntryStatusName(EntryStatus status) {
  switch (status) {
    case EntryStatus::kActive: return "active";
    case EntryStatus::kShadow: return "shadow";
    case EntryStatus::kDraft: return "draft";
    case EntryStatus::kRetired: return "retired";
  }
  return "?";
}

std::optional<EntryKind> EntryKindFromName(std::string_view name) {
  for (EntryKind k : {EntryKind::kRule, EntryKind::kQuery}) {
    if (name == EntryKindName(k)) return k;
  }
  return std::nullopt;
}

std::optional<EntryStatus> EntryStatusFromName(std::string_view name) {
  for (EntryStatus s :
       {EntryStatus::kActive, EntryStatus::kShadow, EntryStatus::kDraft, EntryStatus::kRetired}) {
    if (name == EntryStatusName(s)) return s;
  }
  return std::nullopt;
}

const char* LaneName(Lane lane) {
  switch (lane) {
    case Lane::kGreen: return "green";
    case Lane::kYellow: return "yellow";
    case Lane::kRed: return "red";
  }
  return "?";
}

std::string Issue::ToString() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ':' + std::to_string(line);
    if (column > 0) out += ':' + std::to_string(column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  if (!entry_id.empty()) out += "[" + entry_id + "] ";
  out += message;
  return out;
}

std::string TestFailure::ToString() const {
  std::string out = file;
  if (line > 0) out += ':' + std::to_string(line) + ':' + std::to_string(column);
  out += ": test failed: [" + entry_id + "] ";
  out += expected_fire ? "fires[" : "not_fires[";
  out += std::to_string(index) + "] ";
  if (sequence > 0) {
    out += "(a sequence; record " + std::to_string(sequence) + " of " + std::to_string(sequence) +
           ", the last) ";
  }
  out += expected_fire ? "did not fire" : "fired";
  return out;
}

RuleSet::RuleSet(std::unique_ptr<internal::RuleSetData> data) : data_(std::move(data)) {}
RuleSet::~RuleSet() = default;

const Schema& RuleSet::schema() const { return data_->schema; }
const RuleSetConfig& RuleSet::config() const { return data_->config; }
const std::vector<EntryInfo>& RuleSet::entries() const { return data_->entries; }
const std::string& RuleSet::fingerprint() const { return data_->fingerprint; }
std::string RuleSet::canonical() const { return internal::CanonicalText(*data_); }
std::size_t RuleSet::aggregate_count() const { return data_->aggregates.size(); }
std::string RuleSet::aggregate_label(std::size_t i) const {
  return i < data_->aggregates.size() ? data_->aggregates[i].label : std::string();
}

int RuleSet::FindEntry(std::string_view id) const {
  auto it = data_->entry_by_id.find(std::string(id));
  return it == data_->entry_by_id.end() ? -1 : it->second;
}

}  // namespace targeting
