// Layout: measure/ joins outcomes and computes backtests, promotion, diffs and suggestions.
// Subgroup discovery for `targeting suggest` (docs/measurement.md, "Suggest").
//
// Only examined records carry an outcome, so only they can say anything
// about a discrepancy rate: the search keeps a copy of each examined record,
// turns every candidate test into a bitset over the examined records of
// each side of the split, and counts a conjunction with AND and popcount.
// With tens of thousands of exams among a million records a bitset is a few
// hundred words, so a level of the search is a few hundred thousand
// popcounts of that size.
#include "targeting/suggest.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "measure/outcome_join.h"
#include "targeting/json.h"

namespace targeting {

const char* SuggestOpName(SuggestOp op) {
  switch (op) {
    case SuggestOp::kEq: return "eq";
    case SuggestOp::kPrefix: return "prefix";
    case SuggestOp::kLt: return "lt";
    case SuggestOp::kGe: return "ge";
    case SuggestOp::kContains: return "contains";
    case SuggestOp::kInList: return "in";
  }
  return "";
}

namespace {

constexpr int kMaxTermsCeiling = 5;
constexpr std::size_t kPrefixLengths[] = {2, 4, 6};
constexpr std::size_t kMinTokenLength = 3;

char Upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

// ASCII case-insensitive substring search, as the `contains` operator does.
bool ContainsFolded(std::string_view hay, std::string_view needle) {
  if (needle.empty()) return true;
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && Upper(hay[i + k]) == Upper(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// A field whose values are tariff codes gets prefix tests: a code field
// named after the tariff (hts_code in the built-in schema).
bool IsTariffField(const FieldDef& f) {
  if (f.type != FieldType::kCode) return false;
  return f.name.find("hts") != std::string::npos || f.name.find("tariff") != std::string::npos;
}

bool EqType(FieldType t) {
  return t == FieldType::kCode || t == FieldType::kName || t == FieldType::kString;
}

struct Bits {
  std::vector<std::uint64_t> w;
  void Resize(std::size_t n) { w.assign((n + 63) / 64, 0); }
  void Set(std::size_t i) { w[i >> 6] |= std::uint64_t{1} << (i & 63); }
  bool Get(std::size_t i) const { return (w[i >> 6] >> (i & 63)) & 1; }
  std::uint64_t Count() const {
    std::uint64_t n = 0;
    for (std::uint64_t x : w) n += static_cast<std::uint64_t>(std::popcount(x));
    return n;
  }
};

struct Counts {
  std::uint64_t n = 0, d = 0, fresh = 0;
};

// One side of the split: its examined records as bit positions.
struct Side {
  std::vector<std::size_t> records;  // indices into State::examined
  Bits disc, fresh;                   // discrepant; discrepant and no active entry fired
};

struct Test {
  SuggestTerm term;
  Bits bits[2];  // training, holdout
  std::uint64_t support = 0;  // training examined records it holds on
};

struct Kept {
  Record record;
  bool holdout = false;
  bool discrepant = false;
  bool fresh = false;  // discrepant and no active entry fired
};

std::string Percent(std::optional<double> v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", *v * 100);
  return buf;
}

std::string Fixed2(std::optional<double> v) {
  if (!v) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *v);
  return buf;
}

void Figures(std::uint64_t n, std::uint64_t d, double confidence, std::optional<double> base,
             SubgroupFigures* f) {
  f->examined = n;
  f->discrepant = d;
  if (n == 0) return;
  f->rate = static_cast<double>(d) / static_cast<double>(n);
  Interval ci = WilsonInterval(d, n, confidence);
  f->ci_low = ci.low;
  f->ci_high = ci.high;
  if (base && *base > 0) f->lift = *f->rate / *base;
}

void AppendTermTest(const SuggestTerm& t, std::string* out) {
  switch (t.op) {
    case SuggestOp::kEq:
      AppendJsonString(t.value, out);
      return;
    case SuggestOp::kPrefix:
    case SuggestOp::kContains:
      out->append("{\"");
      out->append(SuggestOpName(t.op));
      out->append("\": ");
      AppendJsonString(t.value, out);
      out->append("}");
      return;
    case SuggestOp::kLt:
    case SuggestOp::kGe:
      out->append("{\"");
      out->append(SuggestOpName(t.op));
      out->append("\": ");
      AppendJsonNumber(t.number, out);
      out->append("}");
      return;
    case SuggestOp::kInList:
      out->append("{\"in\": {\"list\": ");
      AppendJsonString(t.value, out);
      out->append("}}");
      return;
  }
}

bool TermLess(const SuggestTerm& a, const SuggestTerm& b) {
  if (a.field != b.field) return a.field < b.field;
  if (a.op != b.op) return a.op < b.op;
  if (a.number != b.number) return a.number < b.number;
  return a.value < b.value;
}

}  // namespace

bool SuggestTermHolds(const SuggestTerm& t, const Record& r, const std::vector<SuggestList>& lists) {
  if (t.field < 0 || t.field >= r.schema().size() || !r.has(t.field)) return false;
  const int n = r.count(t.field);
  switch (t.op) {
    case SuggestOp::kLt:
    case SuggestOp::kGe:
      for (int i = 0; i < n; ++i) {
        const double v = r.num(t.field, i);
        if (t.op == SuggestOp::kLt ? v < t.number : v >= t.number) return true;
      }
      return false;
    case SuggestOp::kInList: {
      const SuggestList* list = nullptr;
      for (const SuggestList& l : lists) {
        if (l.name == t.value) list = &l;
      }
      if (!list) return false;
      for (int i = 0; i < n; ++i) {
        if (std::binary_search(list->values.begin(), list->values.end(), r.str(t.field, i))) {
          return true;
        }
      }
      return false;
    }
    default:
      break;
  }
  for (int i = 0; i < n; ++i) {
    std::string_view v = r.str(t.field, i);
    switch (t.op) {
      case SuggestOp::kEq:
        if (v == t.value) return true;
        break;
      case SuggestOp::kPrefix:
        if (v.substr(0, t.value.size()) == t.value) return true;
        break;
      case SuggestOp::kContains:
        if (ContainsFolded(v, t.value)) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

std::string SuggestionWhenJson(const Suggestion& s) {
  std::string out;
  auto term = [&out](const SuggestTerm& t) {
    out.append("{");
    AppendJsonString(t.field_name, &out);
    out.append(": ");
    AppendTermTest(t, &out);
    out.append("}");
  };
  if (s.terms.size() == 1) {
    term(s.terms[0]);
    return out;
  }
  out.append("{\"all\": [");
  for (std::size_t i = 0; i < s.terms.size(); ++i) {
    if (i) out.append(", ");
    term(s.terms[i]);
  }
  out.append("]}");
  return out;
}

std::string SuggestionText(const Suggestion& s) {
  std::string out;
  for (const SuggestTerm& t : s.terms) {
    if (!out.empty()) out += " and ";
    out += t.field_name;
    switch (t.op) {
      case SuggestOp::kEq: out += " = " + t.value; break;
      case SuggestOp::kPrefix: out += " prefix " + t.value; break;
      case SuggestOp::kLt: out += " < " + FormatNumber(t.number); break;
      case SuggestOp::kGe: out += " >= " + FormatNumber(t.number); break;
      case SuggestOp::kContains: out += " contains " + t.value; break;
      case SuggestOp::kInList: out += " in list " + t.value; break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------

struct Suggester::State {
  std::shared_ptr<const RuleSet> rules;
  std::shared_ptr<const Outcomes> outcomes;
  SuggestOptions options;
  internal::OutcomeJoin join{nullptr};
  std::vector<int> fields;  // the fields tests are drawn from, in schema order
  std::vector<Kept> examined;
  SplitCounts split[2];
  double confidence = 0.95;
  std::uint64_t min_examined = 30;
  std::uint64_t min_new = 1;
  double min_rate = 0.2;  // promotion.min_discrepancy_rate

  std::vector<Test> tests;
  Side side[2];
  std::uint64_t evaluated = 0;
  std::uint64_t pool = 0;
  std::vector<Suggestion> suggestions;
  bool searched = false;
  std::vector<std::uint64_t> fired[2];  // per suggestion: records it holds on, by side

  bool Holdout(const Record& r) const {
    const int df = rules->schema().date_field();
    Days d = options.as_of;
    if (df >= 0 && r.has(df)) d = static_cast<Days>(r.num(df));
    return d >= options.holdout_from;
  }

  void BuildTests();
  Counts Count(const std::vector<std::uint32_t>& ids, int s, Bits* scratch) const;
  void RunSearch(const std::function<void(std::string_view, std::uint64_t, std::uint64_t)>& progress);
  Suggestion Make(const std::vector<std::uint32_t>& ids, double q) const;
};

Suggester::Suggester() : s_(std::make_unique<State>()) {}
Suggester::~Suggester() = default;

Result<std::unique_ptr<Suggester>> Suggester::Create(std::shared_ptr<const RuleSet> rules,
                                                     std::shared_ptr<const Outcomes> outcomes,
                                                     SuggestOptions options) {
  if (!rules || !outcomes) return Status(StatusCode::kInvalidArgument, "rules and outcomes are required");
  if (options.max_terms < 1 || options.max_terms > kMaxTermsCeiling) {
    return Status(StatusCode::kInvalidArgument,
                  "max_terms must be from 1 to " + std::to_string(kMaxTermsCeiling));
  }
  if (options.top < 1) return Status(StatusCode::kInvalidArgument, "top must be at least 1");
  if (options.beam_width < 1) return Status(StatusCode::kInvalidArgument, "beam width must be at least 1");
  const Schema& schema = rules->schema();
  std::unique_ptr<Suggester> sg(new Suggester());
  State& s = *sg->s_;
  const PromotionCriteria& c = rules->config().promotion;
  s.confidence = c.confidence;
  s.min_examined = options.min_examined > 0 ? options.min_examined
                                            : static_cast<std::uint64_t>(std::max(1, c.min_examined));
  s.min_new = static_cast<std::uint64_t>(std::max(1, c.min_new_discrepant));
  s.min_rate = c.min_discrepancy_rate;

  auto usable = [&](int f, std::string* why) {
    const FieldDef& d = schema.field(f);
    if (f == schema.record_id_field()) {
      *why = "it is the record id";
      return false;
    }
    if (d.type == FieldType::kDate) {
      *why = "no test is drawn from a date field (the date splits training from holdout)";
      return false;
    }
    if (d.type == FieldType::kAddress) {
      *why = "no test is drawn from an address field";
      return false;
    }
    if (d.type == FieldType::kText && !options.tokens) {
      *why = "a text field is tested only with token tests (--tokens)";
      return false;
    }
    return true;
  };
  std::string why;
  if (options.fields.empty()) {
    for (int f = 0; f < schema.size(); ++f) {
      if (usable(f, &why)) s.fields.push_back(f);
    }
  } else {
    std::set<int> chosen;
    for (const std::string& name : options.fields) {
      const int f = schema.Find(name);
      if (f < 0) return Status(StatusCode::kInvalidArgument, "unknown field '" + name + "'");
      if (!usable(f, &why)) {
        return Status(StatusCode::kInvalidArgument, "field '" + name + "': " + why);
      }
      chosen.insert(f);
    }
    s.fields.assign(chosen.begin(), chosen.end());
  }
  for (SuggestList& l : options.lists) {
    const bool named = !l.name.empty() && std::all_of(l.name.begin(), l.name.end(), [](char ch) {
      return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
             ch == '.' || ch == '-';
    });
    if (!named) {
      return Status(StatusCode::kInvalidArgument, "list name '" + l.name + "' is not [A-Za-z0-9_.-]+");
    }
    const int f = schema.Find(l.field);
    if (f < 0) {
      return Status(StatusCode::kInvalidArgument,
                    "list '" + l.name + "': unknown field '" + l.field + "'");
    }
    if (IsNumeric(schema.field(f).type)) {
      return Status(StatusCode::kInvalidArgument,
                    "list '" + l.name + "': field '" + l.field + "' is a " +
                        FieldTypeName(schema.field(f).type) + " field");
    }
    std::vector<std::string> norm;
    for (const std::string& v : l.values) {
      std::string out, err;
      double num = 0;
      if (NormalizeValue(schema.field(f).type, v, &out, &num, &err) && !out.empty()) {
        norm.push_back(std::move(out));
      }
    }
    std::sort(norm.begin(), norm.end());
    norm.erase(std::unique(norm.begin(), norm.end()), norm.end());
    l.values = std::move(norm);
  }
  s.rules = std::move(rules);
  s.outcomes = std::move(outcomes);
  s.join = internal::OutcomeJoin(s.outcomes.get());
  s.options = std::move(options);
  return sg;
}

void Suggester::Add(const Record& record, const ScoreResult& result) {
  State& s = *s_;
  const bool hold = s.Holdout(record);
  SplitCounts& split = s.split[hold ? 1 : 0];
  ++split.records;
  const int oi = s.join.Join(record.record_id());
  if (oi < 0) return;
  const Outcome& o = s.outcomes->outcome(static_cast<std::size_t>(oi));
  if (!o.examined || o.finding == Finding::kNone) return;
  ++split.examined;
  const bool disc = o.discrepant();
  split.discrepant += disc;
  bool active = false;
  for (std::uint32_t e : result.fired) {
    if (s.rules->entries()[e].status == EntryStatus::kActive) active = true;
  }
  s.examined.push_back(Kept{record, hold, disc, disc && !active});
}

OutcomeCounts Suggester::outcome_counts() const { return s_->join.Counts(); }

void Suggester::State::BuildTests() {
  const Schema& schema = rules->schema();
  for (int k = 0; k < 2; ++k) {
    side[k].records.clear();
  }
  for (std::size_t i = 0; i < examined.size(); ++i) {
    side[examined[i].holdout ? 1 : 0].records.push_back(i);
  }
  for (int k = 0; k < 2; ++k) {
    Side& sd = side[k];
    sd.disc.Resize(sd.records.size());
    sd.fresh.Resize(sd.records.size());
    for (std::size_t j = 0; j < sd.records.size(); ++j) {
      const Kept& kept = examined[sd.records[j]];
      if (kept.discrepant) sd.disc.Set(j);
      if (kept.fresh) sd.fresh.Set(j);
    }
  }
  const std::vector<std::size_t>& train = side[0].records;

  std::vector<SuggestTerm> terms;
  for (int f : fields) {
    const FieldDef& def = schema.field(f);
    if (EqType(def.type)) {
      // Values (and tariff prefixes) on at least min_examined training exams,
      // each counted once per record.
      std::map<std::string, std::uint64_t> eq, prefix;
      std::vector<std::string> seen;
      for (std::size_t i : train) {
        const Record& r = examined[i].record;
        if (!r.has(f)) continue;
        seen.clear();
        for (int e = 0; e < r.count(f); ++e) {
          std::string v(r.str(f, e));
          if (IsTariffField(def)) {
            for (std::size_t len : kPrefixLengths) {
              if (v.size() > len) seen.push_back("\x01" + v.substr(0, len));
            }
          }
          seen.push_back(std::move(v));
        }
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (const std::string& v : seen) {
          if (v[0] == '\x01') ++prefix[v.substr(1)];
          else ++eq[v];
        }
      }
      for (const auto& [v, n] : eq) {
        if (n >= min_examined) terms.push_back(SuggestTerm{f, def.name, SuggestOp::kEq, v, 0});
      }
      for (const auto& [v, n] : prefix) {
        if (n >= min_examined) terms.push_back(SuggestTerm{f, def.name, SuggestOp::kPrefix, v, 0});
      }
    } else if (def.type == FieldType::kNumber) {
      std::vector<double> values;
      for (std::size_t i : train) {
        const Record& r = examined[i].record;
        for (int e = 0; e < r.count(f); ++e) values.push_back(r.num(f, e));
      }
      std::sort(values.begin(), values.end());
      std::vector<double> cuts;
      for (int k = 1; k <= 9 && !values.empty(); ++k) {
        const double q = values[values.size() * static_cast<std::size_t>(k) / 10];
        if (q != values.front() && (cuts.empty() || cuts.back() != q)) cuts.push_back(q);
      }
      for (double q : cuts) {
        terms.push_back(SuggestTerm{f, def.name, SuggestOp::kLt, "", q});
        terms.push_back(SuggestTerm{f, def.name, SuggestOp::kGe, "", q});
      }
    } else if (def.type == FieldType::kText && options.tokens) {
      std::map<std::string, std::uint64_t> tokens;
      std::vector<std::string> seen;
      for (std::size_t i : train) {
        const Record& r = examined[i].record;
        seen.clear();
        for (int e = 0; e < r.count(f); ++e) {
          std::string_view v = r.str(f, e);
          std::string word;
          for (std::size_t p = 0; p <= v.size(); ++p) {
            const char c = p < v.size() ? Upper(v[p]) : ' ';
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
              word.push_back(c);
            } else {
              if (word.size() >= kMinTokenLength) seen.push_back(word);
              word.clear();
            }
          }
        }
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (const std::string& w : seen) ++tokens[w];
      }
      for (const auto& [w, n] : tokens) {
        if (n >= min_examined) terms.push_back(SuggestTerm{f, def.name, SuggestOp::kContains, w, 0});
      }
    }
  }
  for (const SuggestList& l : options.lists) {
    const int f = schema.Find(l.field);
    terms.push_back(SuggestTerm{f, l.field, SuggestOp::kInList, l.name, 0});
  }

  tests.clear();
  for (SuggestTerm& t : terms) {
    Test test;
    test.term = std::move(t);
    for (int k = 0; k < 2; ++k) {
      test.bits[k].Resize(side[k].records.size());
      for (std::size_t j = 0; j < side[k].records.size(); ++j) {
        if (SuggestTermHolds(test.term, examined[side[k].records[j]].record, options.lists)) {
          test.bits[k].Set(j);
        }
      }
    }
    test.support = test.bits[0].Count();
    // A test on fewer exams than min_examined cannot be in any conjunction
    // with enough support.
    if (test.support >= min_examined) tests.push_back(std::move(test));
  }
}

Counts Suggester::State::Count(const std::vector<std::uint32_t>& ids, int k, Bits* scratch) const {
  const Side& sd = side[k];
  const std::size_t words = sd.disc.w.size();
  Counts c;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t x = ~std::uint64_t{0};
    for (std::uint32_t id : ids) x &= tests[id].bits[k].w[w];
    if (ids.empty()) {
      // The empty conjunction: every examined record of the side.
      const std::size_t n = sd.records.size();
      x = (w + 1) * 64 <= n ? ~std::uint64_t{0} : (std::uint64_t{1} << (n % 64)) - 1;
    }
    if (scratch) scratch->w[w] = x;
    c.n += static_cast<std::uint64_t>(std::popcount(x));
    c.d += static_cast<std::uint64_t>(std::popcount(x & sd.disc.w[w]));
    c.fresh += static_cast<std::uint64_t>(std::popcount(x & sd.fresh.w[w]));
  }
  return c;
}

namespace {

struct Cand {
  std::vector<std::uint32_t> ids;
  Counts c;
  double q = 0;
};

std::string Key(const std::vector<std::uint32_t>& ids) {
  return std::string(reinterpret_cast<const char*>(ids.data()), ids.size() * sizeof(std::uint32_t));
}

}  // namespace

void Suggester::State::RunSearch(
    const std::function<void(std::string_view, std::uint64_t, std::uint64_t)>& progress) {
  const double conf = confidence;
  auto quality = [&](const Counts& c) {
    return c.n == 0 ? 0.0 : WilsonInterval(c.d, c.n, conf).low;
  };
  std::unordered_map<std::string, double> cache;  // conjunction -> quality (support met)
  // Admission: the lower bound must clear the training base rate itself (the
  // training side of the holdout's keeps-lift test) and the rate promotion
  // asks of a query. Beating only the base's own lower bound would admit
  // large subgroups a point above the average, which no one would target.
  const Counts all = Count({}, 0, nullptr);
  const double base = all.n == 0 ? 1.0 : static_cast<double>(all.d) / static_cast<double>(all.n);
  auto admitted = [&](double q) { return q > base && q >= min_rate; };
  auto q_of = [&](const std::vector<std::uint32_t>& ids) {
    std::string key = Key(ids);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    const double q = quality(Count(ids, 0, nullptr));
    ++evaluated;
    cache.emplace(std::move(key), q);
    return q;
  };
  // A conjunction stays only if it clears the base rate and beats the lower
  // bound of every proper sub-conjunction.
  auto beats_subsets = [&](const std::vector<std::uint32_t>& ids, double q) {
    if (!admitted(q)) return false;
    const std::size_t k = ids.size();
    std::vector<std::uint32_t> sub;
    for (std::uint32_t mask = 1; mask + 1 < (1u << k); ++mask) {
      sub.clear();
      for (std::size_t i = 0; i < k; ++i) {
        if (mask >> i & 1) sub.push_back(ids[i]);
      }
      if (!(q > q_of(sub))) return false;
    }
    return true;
  };
  auto better = [](const Cand& a, const Cand& b) {
    if (a.q != b.q) return a.q > b.q;
    return a.ids < b.ids;
  };
  auto compatible = [&](std::uint32_t a, std::uint32_t b) {
    const SuggestTerm& x = tests[a].term;
    const SuggestTerm& y = tests[b].term;
    if (x.field != y.field) return true;
    const FieldDef& def = rules->schema().field(x.field);
    if (def.list || def.type == FieldType::kText) return true;
    // On a number field, a lower and an upper bound make a range.
    return x.op != y.op && (x.op == SuggestOp::kLt || x.op == SuggestOp::kGe) &&
           (y.op == SuggestOp::kLt || y.op == SuggestOp::kGe);
  };

  std::vector<Cand> pool_all, beam;
  for (std::uint32_t t = 0; t < tests.size(); ++t) {
    Cand c{{t}, Count({t}, 0, nullptr), 0};
    ++evaluated;
    c.q = quality(c.c);
    cache.emplace(Key(c.ids), c.q);
    if (c.c.n < min_examined) continue;
    if (admitted(c.q)) pool_all.push_back(c);
    beam.push_back(std::move(c));
  }
  // The beam holds the best conjunctions of a level by quality whether or
  // not they are admitted: two tests that each hold on a mix of risky and
  // clean traffic can make a sharp pattern together.
  std::sort(beam.begin(), beam.end(), better);
  if (beam.size() > options.beam_width) beam.resize(options.beam_width);
  if (progress) progress("level 1", 1, static_cast<std::uint64_t>(options.max_terms));

  std::set<std::string> seen;
  for (int level = 2; level <= options.max_terms && !beam.empty(); ++level) {
    std::vector<Cand> next;
    for (std::size_t b = 0; b < beam.size(); ++b) {
      const Cand& from = beam[b];
      for (std::uint32_t t = 0; t < tests.size(); ++t) {
        bool ok = true;
        for (std::uint32_t id : from.ids) {
          if (id == t || !compatible(id, t)) ok = false;
        }
        if (!ok) continue;
        std::vector<std::uint32_t> ids = from.ids;
        ids.insert(std::upper_bound(ids.begin(), ids.end(), t), t);
        std::string key = Key(ids);
        if (!seen.insert(key).second) continue;
        Cand c{std::move(ids), {}, 0};
        c.c = Count(c.ids, 0, nullptr);
        ++evaluated;
        if (c.c.n < min_examined) continue;
        c.q = quality(c.c);
        cache.emplace(std::move(key), c.q);
        if (beats_subsets(c.ids, c.q)) pool_all.push_back(c);
        next.push_back(std::move(c));
      }
      if (progress && (b % 16 == 15 || b + 1 == beam.size())) {
        progress("level " + std::to_string(level), b + 1, beam.size());
      }
    }
    std::sort(next.begin(), next.end(), better);
    if (next.size() > options.beam_width) next.resize(options.beam_width);
    beam = std::move(next);
  }

  // The list: greedily, the conjunction that finds the most discrepant
  // training records that neither an active entry nor a suggestion above it
  // finds, as if each suggestion were adopted in turn; ties go to quality,
  // then to the shorter, then to the first in test order. Without the
  // greedy step the list would fill with variants of the strongest pattern
  // (the same conjunction with one more threshold that drops a clean record).
  //
  // Before that, a conjunction is listed only when more than a quarter of its
  // new discrepant records are found by no conjunction of better quality: a
  // broad conjunction that clears the bar because sharp patterns lie inside
  // it gives way to them, and of the variants of one pattern the sharpest
  // stands for the rest.
  std::vector<Cand> admitted_new;
  for (Cand& c : pool_all) {
    if (c.c.fresh >= min_new) admitted_new.push_back(std::move(c));
  }
  std::sort(admitted_new.begin(), admitted_new.end(), better);
  const std::size_t words = side[0].disc.w.size();
  Bits scratch;
  scratch.Resize(side[0].records.size());
  std::vector<std::uint64_t> better_found(words, 0);
  std::vector<Cand> candidates;
  std::vector<std::vector<std::uint64_t>> fresh_bits;
  for (std::size_t i = 0; i < admitted_new.size(); ++i) {
    Count(admitted_new[i].ids, 0, &scratch);
    std::vector<std::uint64_t> mine(words);
    std::uint64_t own = 0;
    for (std::size_t w = 0; w < words; ++w) {
      mine[w] = scratch.w[w] & side[0].fresh.w[w];
      own += static_cast<std::uint64_t>(std::popcount(mine[w] & ~better_found[w]));
    }
    if (4 * own > admitted_new[i].c.fresh) {
      candidates.push_back(admitted_new[i]);
      fresh_bits.push_back(mine);
    }
    for (std::size_t w = 0; w < words; ++w) better_found[w] |= mine[w];
  }
  pool = candidates.size();
  std::vector<std::uint64_t> found(words, 0);
  std::vector<char> taken(candidates.size(), 0);
  std::vector<Cand> ranked;
  while (ranked.size() < options.top) {
    std::size_t best = candidates.size();
    std::uint64_t best_gain = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (taken[i]) continue;
      std::uint64_t gain = 0;
      for (std::size_t w = 0; w < words; ++w) {
        gain += static_cast<std::uint64_t>(std::popcount(fresh_bits[i][w] & ~found[w]));
      }
      if (gain < min_new) continue;
      const Cand& c = candidates[i];
      bool wins = best == candidates.size() || gain > best_gain;
      if (!wins && gain == best_gain) {
        const Cand& b = candidates[best];
        wins = c.q != b.q ? c.q > b.q : c.ids.size() != b.ids.size() ? c.ids.size() < b.ids.size() : c.ids < b.ids;
      }
      if (wins) {
        best = i;
        best_gain = gain;
      }
    }
    if (best == candidates.size()) break;
    taken[best] = 1;
    for (std::size_t w = 0; w < words; ++w) found[w] |= fresh_bits[best][w];
    ranked.push_back(candidates[best]);
  }
  suggestions.clear();
  for (const Cand& c : ranked) suggestions.push_back(Make(c.ids, c.q));
  fired[0].assign(suggestions.size(), 0);
  fired[1].assign(suggestions.size(), 0);
}

Suggestion Suggester::State::Make(const std::vector<std::uint32_t>& ids, double q) const {
  Suggestion s;
  s.quality = q;
  for (std::uint32_t id : ids) s.terms.push_back(tests[id].term);
  std::sort(s.terms.begin(), s.terms.end(), TermLess);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(SplitMix64(Fnv1a64(SuggestionWhenJson(s)))));
  s.id = "Q-SUGGEST-" + std::string(hex, 8);
  for (int k = 0; k < 2; ++k) {
    const Counts c = Count(ids, k, nullptr);
    SubgroupFigures& f = k == 0 ? s.train : s.holdout;
    Figures(c.n, c.d, confidence, split[k].base_rate, &f);
    f.new_discrepant = c.fresh;
  }
  s.keeps_lift = s.holdout.ci_low && split[1].base_rate && *s.holdout.ci_low > *split[1].base_rate;

  // Inline tests from the data: examined records it holds on, discrepant
  // ones first; and records it does not hold on that meet every term but
  // one, each term missed in turn, so a test shows what each term does.
  std::vector<const Record*> hits, other_hits;
  std::vector<std::vector<const Record*>> near(s.terms.size());
  std::vector<const Record*> misses;
  for (const Kept& k : examined) {
    std::size_t failed = 0, which = 0;
    for (std::size_t i = 0; i < s.terms.size(); ++i) {
      if (!SuggestTermHolds(s.terms[i], k.record, options.lists)) {
        ++failed;
        which = i;
      }
    }
    if (failed == 0) {
      (k.discrepant ? hits : other_hits).push_back(&k.record);
    } else if (failed == 1 && s.terms.size() > 1) {
      if (near[which].size() < 3) near[which].push_back(&k.record);
    } else if (misses.size() < 3) {
      misses.push_back(&k.record);
    }
  }
  for (const Record* r : other_hits) hits.push_back(r);
  for (std::size_t i = 0; i < hits.size() && s.fires.size() < 3; ++i) s.fires.push_back(*hits[i]);
  for (std::size_t round = 0; round < 3 && s.not_fires.size() < 3; ++round) {
    for (std::size_t i = 0; i < near.size() && s.not_fires.size() < 3; ++i) {
      if (round < near[i].size()) s.not_fires.push_back(*near[i][round]);
    }
  }
  for (std::size_t i = 0; i < misses.size() && s.not_fires.size() < 3; ++i) {
    s.not_fires.push_back(*misses[i]);
  }
  return s;
}

void Suggester::Search(
    const std::function<void(std::string_view, std::uint64_t, std::uint64_t)>& progress) {
  State& s = *s_;
  for (SplitCounts& c : s.split) {
    c.base_rate.reset();
    if (c.examined > 0) c.base_rate = static_cast<double>(c.discrepant) / static_cast<double>(c.examined);
  }
  if (progress) progress("tests", 0, 1);
  s.BuildTests();
  if (progress) progress("tests", 1, 1);
  s.RunSearch(progress);
  s.searched = true;
}

void Suggester::AddForFired(const Record& record) {
  State& s = *s_;
  if (!s.searched) return;
  const int k = s.Holdout(record) ? 1 : 0;
  for (std::size_t i = 0; i < s.suggestions.size(); ++i) {
    bool all = true;
    for (const SuggestTerm& t : s.suggestions[i].terms) {
      if (!SuggestTermHolds(t, record, s.options.lists)) {
        all = false;
        break;
      }
    }
    s.fired[k][i] += all;
  }
}

SuggestReport Suggester::Report() const {
  const State& s = *s_;
  SuggestReport r;
  r.fingerprint = s.rules->fingerprint();
  r.confidence = s.confidence;
  r.min_examined = s.min_examined;
  r.max_terms = s.options.max_terms;
  r.holdout_from = s.options.holdout_from;
  r.training = s.split[0];
  r.holdout = s.split[1];
  r.fields = s.fields.size();
  r.tests = s.tests.size();
  r.evaluated = s.evaluated;
  r.pool = s.pool;
  r.suggestions = s.suggestions;
  for (std::size_t i = 0; i < r.suggestions.size() && i < s.fired[0].size(); ++i) {
    r.suggestions[i].train.fired = s.fired[0][i];
    r.suggestions[i].holdout.fired = s.fired[1][i];
  }
  return r;
}

// ---------------------------------------------------------------------------
// Output

namespace {

void AppendSplit(const SplitCounts& c, std::string* out) {
  out->append("{\"records\": " + std::to_string(c.records) + ", \"examined\": " +
              std::to_string(c.examined) + ", \"discrepant\": " + std::to_string(c.discrepant) +
              ", \"base_rate\": ");
  AppendJsonNumber(c.base_rate, out);
  out->append("}");
}

void AppendFigures(const SubgroupFigures& f, bool with_new, std::string* out) {
  out->append("{\"fired\": " + std::to_string(f.fired) + ", \"examined\": " +
              std::to_string(f.examined) + ", \"discrepant\": " + std::to_string(f.discrepant) +
              ", \"rate\": ");
  AppendJsonNumber(f.rate, out);
  out->append(", \"ci_low\": ");
  AppendJsonNumber(f.ci_low, out);
  out->append(", \"ci_high\": ");
  AppendJsonNumber(f.ci_high, out);
  out->append(", \"lift\": ");
  AppendJsonNumber(f.lift, out);
  if (with_new) out->append(", \"new_discrepant\": " + std::to_string(f.new_discrepant));
  out->append("}");
}

std::string FiguresText(const SubgroupFigures& f, double confidence, bool with_new) {
  char conf[16];
  std::snprintf(conf, sizeof conf, "%g", confidence * 100);
  std::string t = "fired " + std::to_string(f.fired) + ", examined " + std::to_string(f.examined) +
                  ", discrepant " + std::to_string(f.discrepant) + ", rate " + Percent(f.rate) +
                  ", " + conf + "% CI [" + Percent(f.ci_low) + ", " + Percent(f.ci_high) +
                  "], lift " + Fixed2(f.lift);
  if (with_new) t += ", new discrepant " + std::to_string(f.new_discrepant);
  return t;
}

// A record as an inline test, in JSON (which YAML reads): its non-derived
// fields; numbers and dates as written, other values normalized (each reads
// back to the same value).
void AppendRecordJson(const Record& r, std::string* out) {
  const Schema& schema = r.schema();
  out->append("{");
  bool first = true;
  for (int f = 0; f < schema.size(); ++f) {
    const FieldDef& def = schema.field(f);
    if (def.derived || !r.has(f)) continue;
    if (!first) out->append(", ");
    first = false;
    AppendJsonString(def.name, out);
    out->append(": ");
    auto value = [&](int i) { AppendJsonString(r.str(f, i), out); };
    if (def.list) {
      out->append("[");
      for (int i = 0; i < r.count(f); ++i) {
        if (i) out->append(", ");
        value(i);
      }
      out->append("]");
    } else {
      value(0);
    }
  }
  out->append("}");
}

}  // namespace

void AppendSuggestJson(const SuggestReport& r, std::string* out) {
  out->append("{\"fingerprint\": ");
  AppendJsonString(r.fingerprint, out);
  out->append(",\n \"training\": ");
  AppendSplit(r.training, out);
  out->append(",\n \"holdout\": ");
  AppendSplit(r.holdout, out);
  out->append(",\n \"suggestions\": [");
  for (std::size_t i = 0; i < r.suggestions.size(); ++i) {
    const Suggestion& s = r.suggestions[i];
    out->append(i ? ",\n  " : "\n  ");
    out->append("{\"id\": ");
    AppendJsonString(s.id, out);
    out->append(", \"when\": " + SuggestionWhenJson(s) + ", \"train\": ");
    AppendFigures(s.train, true, out);
    out->append(", \"holdout\": ");
    AppendFigures(s.holdout, false, out);
    out->append(s.keeps_lift ? ", \"keeps_lift\": true}" : ", \"keeps_lift\": false}");
  }
  out->append(r.suggestions.empty() ? "]}\n" : "\n ]}\n");
}

std::string SuggestionYaml(const SuggestReport& r, const Suggestion& s) {
  const std::string from = FormatDate(r.holdout_from);
  std::string description =
      "Suggested by targeting suggest from the outcomes, for rule set " + r.fingerprint +
      ". Training (records before " + from + "): " + FiguresText(s.train, r.confidence, true) +
      ", over a base rate of " + Percent(r.training.base_rate) + ". Holdout (from " + from +
      "): " + FiguresText(s.holdout, r.confidence, false) + ", over a base rate of " +
      Percent(r.holdout.base_rate) + (s.keeps_lift ? "; it keeps its lift." : "; it does not keep its lift.") +
      " One of many conjunctions searched: judge it on new data before relying on it.";
  std::string t = "# Written by targeting suggest: a draft query found in the outcomes of the\n"
                  "# records before " + from + " and measured on those from " + from + ".\n"
                  "# Its inline tests are real records of the data.\n";
  t += "rules:\n  - id: " + s.id + "\n    kind: query\n    status: draft\n    name: ";
  AppendJsonString("Suggested: " + SuggestionText(s), &t);
  t += "\n    description: ";
  AppendJsonString(description, &t);
  t += "\n    when: " + SuggestionWhenJson(s) + "\n";
  if (!s.fires.empty() || !s.not_fires.empty()) {
    t += "    tests:\n";
    if (!s.fires.empty()) {
      t += "      fires:\n";
      for (const Record& rec : s.fires) {
        t += "        - ";
        AppendRecordJson(rec, &t);
        t += "\n";
      }
    }
    if (!s.not_fires.empty()) {
      t += "      not_fires:\n";
      for (const Record& rec : s.not_fires) {
        t += "        - ";
        AppendRecordJson(rec, &t);
        t += "\n";
      }
    }
  }
  return t;
}

std::string SuggestListsYaml(const std::vector<SuggestList>& lists) {
  std::string t = "# Written by targeting suggest: the lists its suggestions test.\nrules: []\nlists:\n";
  for (const SuggestList& l : lists) {
    t += "  " + l.name + ":\n    values: [";
    for (std::size_t i = 0; i < l.values.size(); ++i) {
      if (i) t += ", ";
      AppendJsonString(l.values[i], &t);
    }
    t += "]\n";
  }
  return t;
}

}  // namespace targeting
