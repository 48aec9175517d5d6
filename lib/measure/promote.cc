// Promotion: which queries meet the criteria of SPEC section 6, and the rule
// file that promotes one.
#include <algorithm>
#include <cmath>

#include "load/normalize.h"
#include "plan/aggregate.h"
#include "plan/ruleset_data.h"
#include "load/yaml.h"
#include "load/yaml_source.h"
#include "targeting/measure.h"

namespace targeting {

const char* PromotionCriterionName(PromotionCriterion c) {
  switch (c) {
    case PromotionCriterion::kMinExamined: return "min_examined";
    case PromotionCriterion::kMinDiscrepancyRate: return "min_discrepancy_rate";
    case PromotionCriterion::kMinPorts: return "min_ports";
    case PromotionCriterion::kMinNewDiscrepant: return "min_new_discrepant";
  }
  return "";
}

namespace {

// The Wilson lower bound at a real-valued rate p over n trials.
double WilsonLow(double p, double n, double z) {
  const double z2 = z * z;
  return (p + z2 / (2 * n) - z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

// The fewest exams at which a query that keeps rate p has ci_low >= bar (and
// at least `min_n`); nullopt when p <= bar, which no number of exams fixes.
std::optional<std::uint64_t> ExamsNeeded(double p, double bar, double confidence,
                                         std::uint64_t min_n) {
  if (!(p > bar)) return std::nullopt;
  const double z = NormalQuantile((1 + confidence) / 2);
  std::uint64_t lo = std::max<std::uint64_t>(1, min_n), hi = lo;
  // The bound rises with n toward p, so double until it clears, then bisect.
  while (WilsonLow(p, static_cast<double>(hi), z) < bar) {
    if (hi > (std::uint64_t{1} << 40)) return std::nullopt;
    lo = hi + 1;
    hi *= 2;
  }
  while (lo < hi) {
    std::uint64_t mid = lo + (hi - lo) / 2;
    if (WilsonLow(p, static_cast<double>(mid), z) >= bar) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

}  // namespace

std::vector<PromotionAssessment> AssessPromotion(const BacktestReport& report) {
  const PromotionCriteria& c = report.criteria;
  std::vector<PromotionAssessment> out;
  for (const EntryMetrics& m : report.entries) {
    if (m.kind != EntryKind::kQuery) continue;
    PromotionAssessment a;
    a.metrics = &m;
    using S = PromotionAssessment::Shortfall;
    if (m.examined < static_cast<std::uint64_t>(std::max(0, c.min_examined))) {
      a.failed.push_back(S{PromotionCriterion::kMinExamined, static_cast<double>(c.min_examined),
                           static_cast<double>(m.examined)});
    }
    if (!m.ci_low || *m.ci_low < c.min_discrepancy_rate) {
      a.failed.push_back(S{PromotionCriterion::kMinDiscrepancyRate, c.min_discrepancy_rate,
                           m.ci_low.value_or(0)});
    }
    if (m.ports < static_cast<std::uint64_t>(std::max(0, c.min_ports))) {
      a.failed.push_back(S{PromotionCriterion::kMinPorts, static_cast<double>(c.min_ports),
                           static_cast<double>(m.ports)});
    }
    if (m.new_discrepant < static_cast<std::uint64_t>(std::max(0, c.min_new_discrepant))) {
      a.failed.push_back(S{PromotionCriterion::kMinNewDiscrepant,
                           static_cast<double>(c.min_new_discrepant),
                           static_cast<double>(m.new_discrepant)});
    }
    const bool only_exams = std::all_of(a.failed.begin(), a.failed.end(), [](const S& s) {
      return s.criterion == PromotionCriterion::kMinExamined ||
             s.criterion == PromotionCriterion::kMinDiscrepancyRate;
    });
    if (!a.failed.empty() && only_exams && m.discrepancy_rate) {
      a.exams_needed = ExamsNeeded(*m.discrepancy_rate, c.min_discrepancy_rate, c.confidence,
                                   static_cast<std::uint64_t>(std::max(0, c.min_examined)));
    }
    out.push_back(std::move(a));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    if (x.failed.size() != y.failed.size()) return x.failed.size() < y.failed.size();
    return x.metrics->discrepant > y.metrics->discrepant;
  });
  return out;
}

// ---------------------------------------------------------------------------
// The promoted rule file.

namespace {

// Emits a node as it was written: quoted scalars stay quoted (yaml-cpp tags
// them "!"), flow collections stay flow, so `{list: NAME}` operands and
// literals such as "2704" read back exactly as in the query.
void EmitNode(YAML::Emitter& out, const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      if (n.Tag() == "!") out << YAML::DoubleQuoted << n.Scalar();
      else out << n.Scalar();
      return;
    case YAML::NodeType::Sequence:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const YAML::Node& c : n) EmitNode(out, c);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Map:
      if (n.Style() == YAML::EmitterStyle::Flow) out << YAML::Flow;
      out << YAML::BeginMap;
      for (auto it = n.begin(); it != n.end(); ++it) {
        out << YAML::Key;
        EmitNode(out, it->first);
        out << YAML::Value;
        EmitNode(out, it->second);
      }
      out << YAML::EndMap;
      return;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      out << YAML::Null;
      return;
  }
}

// A record as an inline test: its non-derived fields with values, as flow.
void EmitRecord(YAML::Emitter& out, const Record& r) {
  const Schema& schema = r.schema();
  out << YAML::Flow << YAML::BeginMap;
  for (int f = 0; f < schema.size(); ++f) {
    const FieldDef& def = schema.field(f);
    if (def.derived || !r.has(f)) continue;
    out << YAML::Key << def.name << YAML::Value;
    auto value = [&](int i) {
      // A record keeps numbers and dates as written (trimmed) and other
      // values normalized; each reads back to the same value.
      if (IsNumeric(def.type)) out << std::string(r.str(f, i));
      else out << YAML::DoubleQuoted << std::string(r.str(f, i));
    };
    if (def.list) {
      out << YAML::Flow << YAML::BeginSeq;
      for (int i = 0; i < r.count(f); ++i) value(i);
      out << YAML::EndSeq;
    } else {
      value(0);
    }
  }
  out << YAML::EndMap;
}

std::optional<YAML::Node> FindEntryNode(const YAML::Node& root, const std::string& id) {
  if (!root.IsMap()) return std::nullopt;
  YAML::Node rules = root["rules"];
  if (!rules || !rules.IsSequence()) return std::nullopt;
  for (const YAML::Node& e : rules) {
    if (!e.IsMap()) continue;
    YAML::Node i = e["id"];
    if (i && i.IsScalar() && i.Scalar() == id) return e;
  }
  return std::nullopt;
}

}  // namespace

namespace {

// The aggregates that entry `e`'s condition names.
std::vector<int> EntryAggregates(const internal::RuleSetData& data, int e) {
  std::vector<int> out;
  std::vector<int> todo = {data.code[static_cast<std::size_t>(e)].root};
  while (!todo.empty()) {
    const int n = todo.back();
    todo.pop_back();
    if (n < 0) continue;
    const internal::Node& node = data.nodes[static_cast<std::size_t>(n)];
    if (node.kind == internal::Node::Kind::kLeaf) {
      const internal::Predicate& p = data.predicates[static_cast<std::size_t>(node.pred)];
      if (p.op == internal::Op::kAggregate &&
          std::find(out.begin(), out.end(), p.aggregate) == out.end()) {
        out.push_back(p.aggregate);
      }
      continue;
    }
    for (std::uint32_t c = 0; c < node.child_count; ++c) {
      todo.push_back(static_cast<int>(data.children[node.first_child + c]));
    }
  }
  return out;
}

bool Fires(const std::shared_ptr<const RuleSet>& rules, int query, const std::vector<Record>& stream,
           Days as_of) {
  Scorer scorer(rules, ScoreOptions{as_of});
  ScoreResult res;
  for (const Record& r : stream) {
    if (!scorer.Score(r, &res).ok()) return false;
  }
  return std::find(res.fired.begin(), res.fired.end(), static_cast<std::uint32_t>(query)) !=
         res.fired.end();
}

}  // namespace

bool InAggregateWindow(const RuleSet& rules, int query, const Record& earlier, const Record& last,
                       Days as_of) {
  const internal::RuleSetData& data = rules.data();
  if (query < 0 || static_cast<std::size_t>(query) >= data.code.size()) return false;
  if (!earlier.schema().SameAs(rules.schema()) || !last.schema().SameAs(rules.schema())) return false;
  const Days d = internal::RecordDay(data.schema, last, as_of);
  const Days e = internal::RecordDay(data.schema, earlier, as_of);
  std::string k1, k2;
  for (int a : EntryAggregates(data, query)) {
    const internal::AggregateDef& def = data.aggregates[static_cast<std::size_t>(a)];
    if (e > d || e < d - def.days + 1) continue;
    if (internal::AggregateKey(data.schema, def, last, &k1) &&
        internal::AggregateKey(data.schema, def, earlier, &k2) && k1 == k2) {
      return true;
    }
  }
  return false;
}

std::optional<std::vector<Record>> FiringSequence(const std::shared_ptr<const RuleSet>& rules,
                                                  int query, std::vector<Record> stream,
                                                  Days as_of) {
  if (stream.empty() || !Fires(rules, query, stream, as_of)) return std::nullopt;
  // Drop what it does not need: the earliest records first, so what stays
  // is the part of the history closest to the hit.
  for (std::size_t i = 0; i + 1 < stream.size();) {
    std::vector<Record> without;
    without.reserve(stream.size() - 1);
    for (std::size_t j = 0; j < stream.size(); ++j) {
      if (j != i) without.push_back(stream[j]);
    }
    if (Fires(rules, query, without, as_of)) {
      stream = std::move(without);
    } else {
      ++i;
    }
  }
  return stream;
}

Result<std::string> PromotedRuleYaml(const RuleSet& rules, int query, std::string_view new_id,
                                     const std::vector<Record>& hits,
                                     const std::vector<std::vector<Record>>& sequences) {
  if (query < 0 || static_cast<std::size_t>(query) >= rules.entries().size()) {
    return Status(StatusCode::kInvalidArgument, "no such entry");
  }
  const EntryInfo& info = rules.entries()[static_cast<std::size_t>(query)];
  auto text = internal::ReadFileLimited(info.file, std::size_t{64} << 20);
  if (!text.ok()) return text.status();
  std::vector<Issue> issues;
  bool empty = false;
  std::optional<YAML::Node> root;
  try {
    root = internal::ParseYaml(info.file, text.value(), &issues, &empty);
  } catch (const std::exception& e) {
    return Status(StatusCode::kInvalidArgument, info.file + ": " + e.what());
  }
  if (!root) {
    return Status(StatusCode::kInvalidArgument,
                  info.file + ": cannot parse" +
                      (issues.empty() ? std::string() : ": " + issues.front().message));
  }
  std::optional<YAML::Node> entry = FindEntryNode(*root, info.id);
  if (!entry) {
    return Status(StatusCode::kNotFound,
                  info.file + ": entry '" + info.id + "' not found (was the file changed?)");
  }

  try {
    YAML::Emitter out;
    out.SetIndent(2);
    out << YAML::BeginMap << YAML::Key << "rules" << YAML::Value << YAML::BeginSeq;
    out << YAML::BeginMap;
    out << YAML::Key << "id" << YAML::Value << std::string(new_id);
    out << YAML::Key << "kind" << YAML::Value << "rule";
    auto copy = [&](const char* key) {
      YAML::Node v = (*entry)[key];
      if (!v) return;
      out << YAML::Key << key << YAML::Value;
      EmitNode(out, v);
    };
    copy("name");
    copy("description");
    copy("owner");
    out << YAML::Key << "version" << YAML::Value << 1;
    out << YAML::Key << "status" << YAML::Value << "shadow";
    copy("weight");
    copy("priority");
    copy("scope");
    copy("effective");
    out << YAML::Key << "promoted_from" << YAML::Value << info.id;
    copy("when");

    YAML::Node tests = (*entry)["tests"];
    YAML::Node fires = tests && tests.IsMap() ? tests["fires"] : YAML::Node();
    YAML::Node not_fires = tests && tests.IsMap() ? tests["not_fires"] : YAML::Node();
    const bool have_fires =
        (fires && fires.IsSequence() && fires.size() > 0) || !hits.empty() || !sequences.empty();
    const bool have_not = not_fires && not_fires.IsSequence() && not_fires.size() > 0;
    if (have_fires || have_not) {
      out << YAML::Key << "tests" << YAML::Value << YAML::BeginMap;
      if (have_fires) {
        out << YAML::Key << "fires" << YAML::Value << YAML::BeginSeq;
        if (fires && fires.IsSequence()) {
          for (const YAML::Node& t : fires) EmitNode(out, t);
        }
        for (const Record& r : hits) EmitRecord(out, r);
        for (const std::vector<Record>& seq : sequences) {
          out << YAML::BeginMap << YAML::Key << "sequence" << YAML::Value << YAML::BeginSeq;
          for (const Record& r : seq) EmitRecord(out, r);
          out << YAML::EndSeq << YAML::EndMap;
        }
        out << YAML::EndSeq;
      }
      if (have_not) {
        out << YAML::Key << "not_fires" << YAML::Value << YAML::BeginSeq;
        for (const YAML::Node& t : not_fires) EmitNode(out, t);
        out << YAML::EndSeq;
      }
      out << YAML::EndMap;
    }
    out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
    if (!out.good()) {
      return Status(StatusCode::kInternal, "cannot write YAML: " + out.GetLastError());
    }
    return std::string(out.c_str()) + "\n";
  } catch (const std::exception& e) {
    return Status(StatusCode::kInternal, std::string("cannot write YAML: ") + e.what());
  }
}

}  // namespace targeting
