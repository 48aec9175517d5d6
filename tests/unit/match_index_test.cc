// The pieces of the indexed matcher: the literal matcher, the regex
// prefilter, RE2::Set splitting and fallback, and which entries the index can
// narrow (EntryInfo::always_verify).
#include <gtest/gtest.h>

#include <random>

#include <algorithm>
#include <set>

#include "index/literal_matcher.h"
#include "index/match_index.h"
#include "index/regex_index.h"
#include "plan/ruleset_data.h"
#include "test_util.h"

namespace targeting::testing {
namespace {

using internal::LiteralMatcher;
using internal::RegexSetGroup;
using internal::RequiredLiterals;

// How many entries the index verified for `r`.
std::size_t Candidates(const RuleSet& rules, const Record& r) {
  const auto& index = *rules.data().index;
  auto scratch = index.NewScratch();
  std::vector<std::uint32_t> fired;
  index.Match(r, 20000, scratch.get(), &fired);
  return scratch->candidates;
}

std::multiset<std::string> Scan(const LiteralMatcher& m, std::string_view text) {
  std::multiset<std::string> hits;
  m.Scan(text, [&](std::uint32_t id) { hits.insert(m.literal(id)); });
  return hits;
}

TEST(LiteralMatcher, FindsEveryOccurrenceOfEveryLiteral) {
  LiteralMatcher m;
  for (const char* l : {"he", "she", "his", "hers", "e", "s"}) m.Add(l);
  EXPECT_EQ(m.Add("she"), 1u);  // the same bytes keep their id
  m.Build();
  EXPECT_EQ(Scan(m, "ushers"),
            (std::multiset<std::string>{"she", "he", "e", "hers", "s", "s"}));
  EXPECT_TRUE(Scan(m, "xyz").empty());
  EXPECT_TRUE(Scan(m, "").empty());
}

// Random literal sets over a small alphabet (so literals overlap, nest and
// share suffixes) against counting each literal's occurrences with find, in
// both of the automaton's layouts.
TEST(LiteralMatcher, RandomSetsFindWhatFindFinds) {
  std::mt19937 rng(2026);
  auto draw = [&](std::size_t max_len) {
    std::string s(1 + rng() % max_len, 'a');
    for (char& c : s) c = static_cast<char>("abcab\xe9"[rng() % 6]);
    return s;
  };
  for (int round = 0; round < 400; ++round) {
    for (bool by_state : {false, true}) {
      LiteralMatcher m;
      std::vector<std::string> lits;
      for (int k = 0, n = 1 + static_cast<int>(rng() % 12); k < n; ++k) {
        std::string l = draw(5);
        if (std::find(lits.begin(), lits.end(), l) == lits.end()) lits.push_back(l);
        ASSERT_EQ(m.Add(l), std::find(lits.begin(), lits.end(), l) - lits.begin());
      }
      m.Build(by_state);
      for (int t = 0; t < 20; ++t) {
        const std::string text = rng() % 10 == 0 ? std::string() : draw(40);
        std::multiset<std::string> want;
        for (const std::string& l : lits) {
          for (std::size_t at = text.find(l); at != std::string::npos; at = text.find(l, at + 1)) want.insert(l);
        }
        ASSERT_EQ(Scan(m, text), want) << "text '" << text << "', round " << round << (by_state ? ", by state" : "");
      }
    }
  }
}

TEST(LiteralMatcher, MatchesBytesExactly) {
  LiteralMatcher m;
  m.Add("caf\xC3\xA9");
  m.Add("\xE2\x84\xAA");
  m.Build();
  EXPECT_EQ(Scan(m, "un caf\xC3\xA9 \xE2\x84\xAA").size(), 2u);
  EXPECT_TRUE(Scan(m, "CAF\xC3\x89 k").empty());
}

TEST(LiteralMatcher, EmptyMatcherFindsNothing) {
  LiteralMatcher m;
  m.Build();
  EXPECT_TRUE(Scan(m, "anything").empty());
}

std::vector<std::string> Literals(const std::string& pattern) {
  RE2 re(pattern);
  EXPECT_TRUE(re.ok()) << pattern;
  auto lits = RequiredLiterals(re, 3);
  if (!lits) return {};
  std::sort(lits->begin(), lits->end());
  return *lits;
}

TEST(RegexPrefilter, RequiredLiterals) {
  EXPECT_EQ(Literals("GUCCI"), (std::vector<std::string>{"gucci"}));
  // Either side of the concatenation is required; the shorter literal is
  // dropped first, as the less selective one.
  EXPECT_EQ(Literals("(GUCCI|CHANEL).*bag"), (std::vector<std::string>{"chanel", "gucci"}));
  EXPECT_EQ(Literals("GUCCI|CHANEL"), (std::vector<std::string>{"chanel", "gucci"}));
  EXPECT_EQ(Literals("(?i)sneakers"), (std::vector<std::string>{"sneakers"}));
  // The plain shapes are read without compiling; the answers are the same.
  EXPECT_EQ(Literals("\\b(PRADA|GUCCI)\\b"), (std::vector<std::string>{"gucci", "prada"}));
  EXPECT_EQ(Literals("(?i)(?:Lithium Ion|PO#1)"), (std::vector<std::string>{"lithium ion", "po#1"}));
  EXPECT_EQ(Literals("REPLICA|FAKE"), (std::vector<std::string>{"fake", "replica"}));
  EXPECT_EQ(Literals("(GUCCI)|(PRADA)"), (std::vector<std::string>{"gucci", "prada"}));
  EXPECT_EQ(Literals("LEATHER.*(REPLICA|WALLETS)"), (std::vector<std::string>{"leather"}));
  EXPECT_EQ(Literals("(?i)SNEAKERS?\\b"), (std::vector<std::string>{"sneaker"}));
  EXPECT_EQ(Literals("ABC[|(]DEF"), (std::vector<std::string>{"abc"}));
  // A top-level alternation, however hidden, means no single run is required.
  EXPECT_TRUE(Literals("ABC.*X|Y").empty());
  EXPECT_EQ(Literals("ABC\\Q(\\E|XYZ"), (std::vector<std::string>{"abc(", "xyz"}));
  EXPECT_TRUE(Literals("AB?").empty());
  // Nothing long enough is required: such patterns go to RE2::Set.
  EXPECT_TRUE(Literals("^\\d{4}$").empty());
  EXPECT_TRUE(Literals("a|b").empty());
  EXPECT_TRUE(Literals(".*").empty());
  EXPECT_TRUE(Literals("GUCCI|x").empty());
  // Only ASCII literals are kept: a non-ASCII one would need Unicode case mapping.
  EXPECT_EQ(Literals("caf\xC3\xA9"), (std::vector<std::string>{"caf"}));
  EXPECT_TRUE(Literals("\xC3\xA9t\xC3\xA9").empty());
}

std::vector<std::vector<std::string>> Further(const std::string& pattern) {
  RE2 re(pattern);
  EXPECT_TRUE(re.ok()) << pattern;
  auto first = RequiredLiterals(re, 3);
  if (!first) return {};
  auto sets = internal::FurtherRequiredLiterals(re, 3, *first, 4);
  for (auto& set : sets) std::sort(set.begin(), set.end());
  return sets;
}

TEST(RegexPrefilter, FurtherRequiredLiterals) {
  using Sets = std::vector<std::vector<std::string>>;
  EXPECT_EQ(Further("LEATHER.*(REPLICA|WALLETS)"), (Sets{{"replica", "wallets"}}));
  EXPECT_EQ(Further("(?i)bags?.*(GUCCI|PRADA).*fake"), (Sets{{"gucci", "prada"}, {"fake"}}));
  // Nothing more is needed, or nothing long enough.
  EXPECT_EQ(Further("GUCCI"), Sets{});
  EXPECT_EQ(Further("GUCCI|CHANEL"), Sets{});
  EXPECT_EQ(Further("\\b(PRADA|GUCCI)\\b"), Sets{});
  EXPECT_EQ(Further("SNEAKERS?\\b"), Sets{});
  EXPECT_EQ(Further("LEATHER.*(X|WALLETS)"), Sets{});
}

// A regex found by its first literal but missing a further one is not a
// candidate; with both it is verified and fires as the reference says.
TEST(MatchIndex, FurtherLiteralsRuleOutCandidates) {
  auto rules = MustCompile(R"yaml(
rules:
  - {id: leather, when: {description: {regex: "LEATHER.*(REPLICA|WALLETS)"}}}
  - id: both
    when: {all: [{hts_code: {prefix: "4203"}}, {description: {regex: "LEATHER.*(REPLICA|WALLETS)"}}]}
)yaml");
  ASSERT_TRUE(rules);
  auto candidates = [&](const Record& r) { return Candidates(*rules, r); };
  const Record plain = MakeRecord(*rules, {{"description", "LEATHER GLOVES"}, {"hts_code", "4203.29"}});
  EXPECT_EQ(Fired(rules, plain), std::vector<std::string>{});
  EXPECT_EQ(candidates(plain), 0u);
  const Record fake = MakeRecord(*rules, {{"description", "REPLICA LEATHER WALLETS"}, {"hts_code", "4203.29"}});
  EXPECT_EQ(Fired(rules, fake), (std::vector<std::string>{"both", "leather"}));
  // Literals found in the wrong order still make candidates: order is RE2's to check.
  const Record before = MakeRecord(*rules, {{"description", "REPLICA LEATHER"}, {"hts_code", "4203.29"}});
  EXPECT_EQ(Fired(rules, before), std::vector<std::string>{});
  EXPECT_EQ(candidates(before), 2u);
}

// A regex without a required literal that is not an anchor joins the
// field's RE2::Set: the probe decides it, so a record it fails on makes no
// candidate of the entries that need it.
TEST(MatchIndex, LiteralLessRegexFiltersAreDecidedByTheSet) {
  auto rules = MustCompile(R"yaml(
rules:
  - id: digits
    when: {all: [{hts_code: {prefix: "4202"}}, {description: {regex: "^\\d{3}[A-Z]"}}]}
  - id: code
    when: {all: [{hts_code: {prefix: "4202"}}, {description: {regex: ["\\b[A-Z]{3}\\d{4,}\\b", "XYZ"]}}]}
)yaml");
  ASSERT_TRUE(rules);
  auto candidates = [&](const Record& r) { return Candidates(*rules, r); };
  const Record letters = MakeRecord(*rules, {{"description", "ABCD BAGS"}, {"hts_code", "4202.21"}});
  EXPECT_EQ(Fired(rules, letters), std::vector<std::string>{});
  EXPECT_EQ(candidates(letters), 0u);
  const Record digits = MakeRecord(*rules, {{"description", "123D BAGS"}, {"hts_code", "4202.21"}});
  EXPECT_EQ(Fired(rules, digits), (std::vector<std::string>{"digits"}));
  EXPECT_EQ(candidates(digits), 1u);
  const Record code = MakeRecord(*rules, {{"description", "BAGS ABC12345"}, {"hts_code", "4202.21"}});
  EXPECT_EQ(Fired(rules, code), (std::vector<std::string>{"code"}));
  const Record xyz = MakeRecord(*rules, {{"description", "BAGS XYZ"}, {"hts_code", "4202.21"}});
  EXPECT_EQ(Fired(rules, xyz), (std::vector<std::string>{"code"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"hts_code", "4202.21"}})), std::vector<std::string>{});
}

TEST(RegexPrefilter, FoldMapsTheCharactersRe2LowersToAscii) {
  std::string out;
  EXPECT_FALSE(internal::PrefilterFoldDiffers("GUCCI caf\xC3\xA9", &out));
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(internal::PrefilterFoldDiffers("\xE2\x84\xAAIT \xC5\xBFneakers", &out));
  EXPECT_EQ(out, "kit sneakers");
}

// A regex that the Kelvin sign satisfies must stay a candidate.
TEST(RegexPrefilter, KelvinSignStillMatchesCaseInsensitiveRegex) {
  auto rules = MustCompile(R"(
rules:
  - id: R1
    when: {description: {regex: "(?i)kit"}}
  - id: R2
    when: {description: {regex: "(?i)sneakers"}}
  - id: R3
    when: {description: {contains: "kit"}}
)");
  ASSERT_TRUE(rules);
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"description", "\xE2\x84\xAAIT"}})),
            (std::vector<std::string>{"R1"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"description", "\xC5\xBFNEAKERS"}})),
            (std::vector<std::string>{"R2"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"description", "a KIT"}})),
            (std::vector<std::string>{"R1", "R3"}));
}

std::vector<std::uint32_t> SetMatch(const RegexSetGroup& g, std::string_view text) {
  std::vector<int> scratch;
  std::vector<std::uint32_t> keys;
  g.Match(text, &scratch, [&](std::uint32_t k) { keys.push_back(k); });
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(RegexSetGroup, SplitsIntoSmallSetsAndAgrees) {
  std::vector<std::unique_ptr<RE2>> res;
  for (const char* p : {"^\\d+$", "a|b", "x*", "[0-9]{4}", "^[A-Z]+$", "(?i)k"}) {
    res.push_back(std::make_unique<RE2>(p));
  }
  RegexSetGroup one, split;
  for (std::size_t i = 0; i < res.size(); ++i) {
    one.Add(res[i].get(), static_cast<std::uint32_t>(i));
    split.Add(res[i].get(), static_cast<std::uint32_t>(i));
  }
  EXPECT_TRUE(one.Build(64 << 20, 256).empty());
  EXPECT_TRUE(split.Build(64 << 20, 2).empty());
  EXPECT_EQ(one.set_count(), 1u);
  EXPECT_EQ(split.set_count(), 3u);
  for (const char* text : {"1234", "ABC", "\xE2\x84\xAA", "zzz", "b"}) {
    std::vector<std::uint32_t> expected;
    for (std::size_t i = 0; i < res.size(); ++i) {
      if (RE2::PartialMatch(text, *res[i])) expected.push_back(static_cast<std::uint32_t>(i));
    }
    EXPECT_EQ(SetMatch(one, text), expected) << text;
    EXPECT_EQ(SetMatch(split, text), expected) << text;
  }
}

TEST(RegexSetGroup, TooSmallABudgetLeavesPatternsUnplaced) {
  RE2 a("(?i)[a-z]{3}\\d{3}"), b("^x"), c("y$"), d("\\d{4}");
  RegexSetGroup g;
  g.Add(&a, 7);
  g.Add(&b, 9);
  g.Add(&c, 11);
  g.Add(&d, 13);
  std::vector<std::uint32_t> unplaced = g.Build(1000, 256);
  std::sort(unplaced.begin(), unplaced.end());
  unplaced.erase(std::unique(unplaced.begin(), unplaced.end()), unplaced.end());
  EXPECT_EQ(unplaced, (std::vector<std::uint32_t>{7, 9, 11, 13}));
  EXPECT_TRUE(g.empty());
}

TEST(RegexSetGroup, OnePatternIsMatchedAlone) {
  RE2 a("^\\d+$");
  RegexSetGroup g;
  g.Add(&a, 0);
  EXPECT_TRUE(g.Build(1000, 256).empty());  // no set, so no budget to miss
  EXPECT_EQ(g.set_count(), 0u);
  EXPECT_EQ(g.pattern_count(), 1u);
  EXPECT_EQ(SetMatch(g, "123"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(SetMatch(g, "xAB"), std::vector<std::uint32_t>{});
}

TEST(RegexSetGroup, TwoPatternsShareASet) {
  RE2 a("^\\d+$"), b("[A-Z]{2}");
  RegexSetGroup g;
  g.Add(&a, 0);
  g.Add(&b, 1);
  EXPECT_TRUE(g.Build(1 << 20, 256).empty());
  EXPECT_EQ(g.set_count(), 1u);
  EXPECT_EQ(g.pattern_count(), 2u);
  EXPECT_EQ(SetMatch(g, "123"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(SetMatch(g, "xAB"), (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(SetMatch(g, "x"), std::vector<std::uint32_t>{});
}

TEST(RegexSetGroup, OutOfMemoryFallsBackToEachPattern) {
  RE2 a("^\\d+$"), b("[A-Z]{2}"), c("^x"), d("y$");
  RegexSetGroup g;
  g.Add(&a, 0);
  g.Add(&b, 1);
  g.Add(&c, 2);
  g.Add(&d, 3);
  ASSERT_TRUE(g.Build(64 << 20, 256).empty());
  ASSERT_EQ(g.set_count(), 1u);
  internal::SimulateRegexSetOutOfMemoryForTesting(true);
  EXPECT_EQ(SetMatch(g, "123"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(SetMatch(g, "xAB"), (std::vector<std::uint32_t>{1, 2}));
  internal::SimulateRegexSetOutOfMemoryForTesting(false);
  EXPECT_EQ(g.fallbacks(), 2u);
  EXPECT_EQ(SetMatch(g, "123"), (std::vector<std::uint32_t>{0}));
  EXPECT_EQ(g.fallbacks(), 2u);
}

std::vector<std::string> AlwaysVerified(const RuleSet& rules) {
  std::vector<std::string> ids;
  for (const EntryInfo& e : rules.entries()) {
    if (e.always_verify) ids.push_back(e.id);
  }
  return ids;
}

TEST(MatchIndex, EntriesWithoutAnAnchorAreAlwaysVerified) {
  auto rules = MustCompile(R"(
rules:
  - id: eq
    when: {country_of_origin: CN}
  - id: negations
    when: {all: [{not: {country_of_origin: CN}}, {mode: {ne: SEA}}, {routing: {not_in: [HK]}}]}
  - id: exists
    when: {description: {exists: true}}
  - id: effective-only
    effective: {from: 2026-01-01}
    when: {hts_code: {exists: false}}
  - id: scope-anchor
    scope: {ports: ["2704"]}
    when: {not: {mode: SEA}}
  - id: any-all-anchored
    when: {any: [{mode: SEA}, {hts_code: {prefix: "42"}}]}
  - id: any-one-unanchored
    when: {any: [{mode: SEA}, {not: {hts_code: {prefix: "42"}}}]}
  - id: at-least-sound
    when: {at_least: 2, of: [{mode: SEA}, {not: {carrier: X}}, {quantity: {gt: 5}}]}
  - id: at-least-unsound
    when: {at_least: 1, of: [{mode: SEA}, {not: {carrier: X}}]}
  - id: double-negation
    when: {not: {not: {carrier: MAEU}}}
  - id: range
    when: {value_per_kg: {lt: 20}}
  - id: draft-negation
    status: draft
    when: {not: {mode: SEA}}
)");
  ASSERT_TRUE(rules);
  EXPECT_EQ(AlwaysVerified(*rules),
            (std::vector<std::string>{"any-one-unanchored", "at-least-unsound", "effective-only",
                                      "exists", "negations"}));
  const auto stats = rules->data().index->stats();
  EXPECT_EQ(stats.scored_entries, 11u);
  EXPECT_EQ(stats.always_verify, 5u);
  EXPECT_EQ(stats.anchored_entries, 6u);
}

TEST(MatchIndex, CheckWarnsAboutAlwaysVerifiedEntries) {
  CompileResult r = CompileString("rules:\n  - id: N\n    when: {not: {mode: SEA}}\n", "t.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warning_count(), 1u);
  EXPECT_NE(r.issues[0].message.find("verified on every record"), std::string::npos);
}

// Guard leaves copied into postings (prefix, eq, ranges, effective) and
// prefix tests decided by the trie walk, at their edges: each entry is
// anchored on its importer and guarded by the second test.
TEST(MatchIndex, InlineGuardLeavesAndPrefixFiltersAgreeWithReference) {
  auto rules = MustCompile(R"yaml(
rules:
  - {id: prefix, when: {all: [{importer_id: I1}, {hts_code: {prefix: "4202.21"}}]}}
  - {id: prefixes, when: {all: [{importer_id: I1}, {hts_code: {prefix: ["4203", "4202.2"]}}]}}
  - {id: eq, when: {all: [{importer_id: I1}, {carrier: MAEU}]}}
  - {id: num, when: {all: [{importer_id: I1}, {quantity: 10}]}}
  - {id: lt, when: {all: [{importer_id: I1}, {quantity: {lt: 10}}]}}
  - {id: le, when: {all: [{importer_id: I1}, {quantity: {le: 10}}]}}
  - {id: gt, when: {all: [{importer_id: I1}, {quantity: {gt: 10}}]}}
  - {id: ge, when: {all: [{importer_id: I1}, {quantity: {ge: 10}}]}}
  - {id: btw, when: {all: [{importer_id: I1}, {quantity: {between: [5, 10]}}]}}
  - id: eff
    effective: {from: 2026-01-01, until: 2026-12-31}
    when: {importer_id: I1}
  - {id: route, when: {all: [{importer_id: I1}, {routing: HK}]}}
)yaml");
  ASSERT_TRUE(rules);
  using V = std::vector<std::string>;
  auto fired = [&](std::vector<std::pair<std::string, std::string>> fields, Days as_of = 20000) {
    fields.emplace_back("importer_id", "I1");
    return Fired(rules, MakeRecord(*rules, fields), as_of);
  };
  EXPECT_EQ(fired({{"hts_code", "4202.21.6000"}}), (V{"prefix", "prefixes"}));
  EXPECT_EQ(fired({{"hts_code", "4202.2"}}), (V{"prefixes"}));
  EXPECT_EQ(fired({{"hts_code", "4203"}}), (V{"prefixes"}));
  EXPECT_EQ(fired({{"hts_code", "420"}}), V{});
  EXPECT_EQ(fired({{"carrier", "MAEU"}}), (V{"eq"}));
  EXPECT_EQ(fired({{"carrier", "MAEUX"}}), V{});
  EXPECT_EQ(fired({{"quantity", "10"}}), (V{"btw", "ge", "le", "num"}));
  EXPECT_EQ(fired({{"quantity", "9.5"}}), (V{"btw", "le", "lt"}));
  EXPECT_EQ(fired({{"quantity", "10.5"}}), (V{"ge", "gt"}));
  EXPECT_EQ(fired({{"routing", "CN;HK"}}), (V{"route"}));
  EXPECT_EQ(fired({{"arrival_date", "2026-12-31"}}), (V{"eff"}));
  EXPECT_EQ(fired({{"arrival_date", "2027-01-01"}}), V{});
  // Without a date, as_of stands in.
  EXPECT_EQ(fired({}, 20454), (V{"eff"}));  // 2026-01-01
  EXPECT_EQ(fired({}, 20453), V{});
}

// Indexed structures at their edges: inclusive and exclusive bounds, prefix
// walks that stop early, list fields, -0, and a missing field.
TEST(MatchIndex, BoundariesAndListsAgreeWithReference) {
  auto rules = MustCompile(R"(
rules:
  - {id: gt10, when: {quantity: {gt: 10}}}
  - {id: ge10, when: {quantity: {ge: 10}}}
  - {id: lt10, when: {quantity: {lt: 10}}}
  - {id: le10, when: {quantity: {le: 10}}}
  - {id: btw, when: {quantity: {between: [5, 10]}}}
  - {id: zero, when: {quantity: [0]}}
  - {id: eqzero, when: {quantity: "-0"}}
  - {id: p42, when: {hts_code: {prefix: ["42", "4202.21"]}}}
  - {id: p4203, when: {hts_code: {prefix: "4203"}}}
  - {id: hk, when: {routing: HK}}
  - {id: date, when: {arrival_date: {ge: 2026-01-01}}}
)");
  ASSERT_TRUE(rules);
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"quantity", "10"}})),
            (std::vector<std::string>{"btw", "ge10", "le10"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"quantity", "1e1"}})),
            (std::vector<std::string>{"btw", "ge10", "le10"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"quantity", "10.5"}})),
            (std::vector<std::string>{"ge10", "gt10"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"quantity", "5"}})),
            (std::vector<std::string>{"btw", "le10", "lt10"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"quantity", "-0"}})),
            (std::vector<std::string>{"eqzero", "le10", "lt10", "zero"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"hts_code", "4202.21.6000"}})),
            (std::vector<std::string>{"p42"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"hts_code", "4"}})), std::vector<std::string>{});
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"routing", "CN;HK"}})),
            (std::vector<std::string>{"hk"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {{"arrival_date", "2026-01-01"}})),
            (std::vector<std::string>{"date"}));
  EXPECT_EQ(Fired(rules, MakeRecord(*rules, {})), std::vector<std::string>{});
}


// A scorer rebound to a reloaded set keeps its similar answers: the filter
// of an unchanged list is shared by both sets, and the cache is keyed by the
// filter, so the first lookup after the reload is answered from it.
TEST(MatchIndex, SimilarAnswersSurviveARebind) {
  const std::string yaml = R"yaml(
rules:
  - {id: near, when: {shipper_name: {similar: {to: ['Shenzhen Bright Star Ltd', 'Acme Trading'], min: 0.92}}}}
)yaml";
  auto first = MustCompile(yaml);
  auto second = MustCompile(yaml);  // a reload of the same files
  ASSERT_TRUE(first && second);
  const Record r1 = MakeRecord(*first, {{"shipper_name", "Shenzen Bright Star Ltd"}});
  const Record r2 = MakeRecord(*second, {{"shipper_name", "Shenzen Bright Star Ltd"}});
  const auto& index1 = *first->data().index;
  const auto& index2 = *second->data().index;
  std::vector<std::uint32_t> fired;
  auto a = index1.NewScratch();
  index1.Match(r1, 20000, a.get(), &fired);
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_EQ(a->similar_queries, 1u);
  EXPECT_EQ(a->similar_cache_hits, 0u);
  // Without carrying, the reloaded set's scratch starts cold.
  auto cold = index2.NewScratch();
  index2.Match(r2, 20000, cold.get(), &fired);
  EXPECT_EQ(cold->similar_queries, 1u);
  EXPECT_EQ(cold->similar_cache_hits, 0u);
  auto warm = index2.NewScratch();
  index2.CarryCaches(a.get(), warm.get());
  index2.Match(r2, 20000, warm.get(), &fired);
  EXPECT_EQ(fired.size(), 1u);
  EXPECT_EQ(warm->similar_queries, 0u);
  EXPECT_EQ(warm->similar_cache_hits, 1u);
  // A set whose list changed has a filter of its own: the carried answers
  // do not apply to it, and its lookups are made afresh.
  auto changed = MustCompile(R"yaml(
rules:
  - {id: near, when: {shipper_name: {similar: {to: ['Acme Trading'], min: 0.92}}}}
)yaml");
  ASSERT_TRUE(changed);
  const Record r3 = MakeRecord(*changed, {{"shipper_name", "Shenzen Bright Star Ltd"}});
  auto moved = changed->data().index->NewScratch();
  changed->data().index->CarryCaches(warm.get(), moved.get());
  changed->data().index->Match(r3, 20000, moved.get(), &fired);
  EXPECT_TRUE(fired.empty());
  EXPECT_EQ(moved->similar_queries, 1u);
  EXPECT_EQ(moved->similar_cache_hits, 0u);
}

}  // namespace
}  // namespace targeting::testing
