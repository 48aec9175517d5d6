// The similar operator and Jaro-Winkler (SPEC section 4). Similarities are
// written from the section's definition (computed in IEEE double in its
// order, by a separate implementation), or from the literature's examples.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "differential/random_rules.h"
#include "eval/jaro_winkler.h"
#include "index/similar_index.h"
#include "test_util.h"

namespace targeting {
namespace {

using internal::JaroWinkler;
using testing::Fields;

TEST(JaroWinkler, Definition) {
  // Winkler's examples (match window floor(max/2) - 1, prefix up to 4).
  EXPECT_EQ(JaroWinkler("MARTHA", "MARHTA"), 0.9611111111111111);
  EXPECT_EQ(JaroWinkler("DWAYNE", "DUANE"), 0.8400000000000001);
  EXPECT_EQ(JaroWinkler("DIXON", "DICKSONX"), 0.8133333333333332);
  // No prefix: no boost.
  EXPECT_EQ(JaroWinkler("CRATE", "TRACE"), 0.7333333333333334);
  EXPECT_EQ(JaroWinkler("SHENZHEN BRIGHT STAR", "SHENZHEN BRITE STAR"), 0.9694736842105263);
  EXPECT_EQ(JaroWinkler("SHENZHEN BRIGHT STAR", "SHENZEN BRIGHT STAR"), 0.9478947368421052);
  // Odd numbers of differing positions: t is a half.
  EXPECT_EQ(JaroWinkler("ABBCAC", "BCACAB"), 0.7222222222222223);
  EXPECT_EQ(JaroWinkler("CABCCC", "ABCCA"), 0.6972222222222223);
  EXPECT_EQ(JaroWinkler("BAC", "CBABBAB"), 0.6428571428571429);
  EXPECT_EQ(JaroWinkler("AAAA", "AA"), 0.8666666666666667);
  // Equal, empty, no match; the window of two one-byte strings is 0.
  EXPECT_EQ(JaroWinkler("ACME TRADING", "ACME TRADING"), 1.0);
  EXPECT_EQ(JaroWinkler("", ""), 1.0);
  EXPECT_EQ(JaroWinkler("A", ""), 0.0);
  EXPECT_EQ(JaroWinkler("", "A"), 0.0);
  EXPECT_EQ(JaroWinkler("A", "B"), 0.0);
  EXPECT_EQ(JaroWinkler("AB", "BA"), 0.0);
  EXPECT_EQ(JaroWinkler("ABC", "XYZ"), 0.0);
  // Symmetric on these, and long values take the heap path.
  EXPECT_EQ(JaroWinkler("MARHTA", "MARTHA"), JaroWinkler("MARTHA", "MARHTA"));
  std::string long_a(300, 'A'), long_b(300, 'A');
  long_b[299] = 'B';
  EXPECT_GT(JaroWinkler(long_a, long_b), 0.99);
  EXPECT_LT(JaroWinkler(long_a, long_b), 1.0);
}

struct Case {
  const char* when;
  Fields record;
  bool fires;
};

void RunCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    std::string yaml = std::string("lists:\n  names: {values: ['Shenzhen Bright Star Co., Ltd.', "
                                   "'Golden Harbour Trading']}\n"
                                   "rules:\n  - id: T\n    when: ") + c.when + "\n";
    auto rules = testing::MustCompile(yaml);
    ASSERT_TRUE(rules) << c.when;
    Record r = testing::MakeRecord(*rules, c.record);
    EXPECT_EQ(!testing::Fired(rules, r).empty(), c.fires) << "when: " << c.when;
  }
}

TEST(Similar, Operator) {
  RunCases({
      // Operands are normalized by the field's type: the legal suffix goes.
      {"{shipper_name: {similar: {to: 'Shenzhen Bright Star Ltd', min: 0.92}}}",
       {{"shipper_name", "Shenzhen Brite Star Co"}}, true},
      {"{shipper_name: {similar: {to: 'Shenzhen Bright Star Ltd', min: 0.97}}}",
       {{"shipper_name", "Shenzhen Brite Star Co"}}, false},
      // 0.9694736842105263 is the similarity: min at it holds, just above does not.
      {"{shipper_name: {similar: {to: 'SHENZHEN BRIGHT STAR', min: 0.9694736842105263}}}",
       {{"shipper_name", "SHENZHEN BRITE STAR"}}, true},
      {"{shipper_name: {similar: {to: 'SHENZHEN BRIGHT STAR', min: 0.9694736842105264}}}",
       {{"shipper_name", "SHENZHEN BRITE STAR"}}, false},
      {"{shipper_name: {similar: {to: {list: names}, min: 0.9}}}",
       {{"shipper_name", "Golden Harbor Trading Ltd"}}, true},
      {"{shipper_name: {similar: {to: [XYZ, 'Golden Harbour Trading'], min: 0.9}}}",
       {{"shipper_name", "golden harbour trading"}}, true},
      {"{shipper_name: {similar: {to: {list: names}, min: 0.9}}}",
       {{"shipper_name", "Northstar Components"}}, false},
      // False on a missing value, even at a low min.
      {"{shipper_name: {similar: {to: {list: names}, min: 0.01}}}", {}, false},
      {"{not: {shipper_name: {similar: {to: {list: names}, min: 0.9}}}}", {}, true},
      // min: 1 is eq.
      {"{consignee_name: {similar: {to: ['Acme Trading'], min: 1}}}",
       {{"consignee_name", "ACME TRADING CO., LTD."}}, true},
      {"{consignee_name: {similar: {to: ['Acme Trading'], min: 1}}}",
       {{"consignee_name", "ACME TRADINGS"}}, false},
      // Codes and addresses are normalized first too.
      {"{carrier: {similar: {to: MAEU, min: 0.8}}}", {{"carrier", "ma-eu"}}, true},
      {"{consignee_address: {similar: {to: '12 Main Street, Apartment 4', min: 0.95}}}",
       {{"consignee_address", "12 MAIN ST APT 4"}}, true},
      {"{consignee_address: {similar: {to: '12 Main Street, Apartment 4', min: 0.99}}}",
       {{"consignee_address", "12 MAIN ST APT 5"}}, false},
      // A list field holds when one element does.
      {"{routing: {similar: {to: HKG, min: 0.95}}}", {{"routing", "CN;HK;US"}}, false},
      {"{routing: {similar: {to: HKX, min: 0.7}}}", {{"routing", "CN;HKG;US"}}, true},
      // A string field is compared as written, case and all.
      {"{record_id: {similar: {to: 'b-100', min: 0.9}}}", {{"record_id", "B-100"}}, false},
      {"{record_id: {similar: {to: 'B-100', min: 0.9}}}", {{"record_id", "B-1000"}}, true},
  });
}

TEST(Similar, MinOneIsEq) {
  testing::Rng rng(7);
  const std::vector<std::string> words = {"ACME", "ACME TRADING", "ACME TRADE", "ACM", "TRADING ACME"};
  for (int i = 0; i < 40; ++i) {
    const std::string to = rng.Pick(words), value = rng.Pick(words);
    auto rules = testing::MustCompile("rules:\n  - id: S\n    when: {shipper_name: {similar: {to: '" +
                                      to + "', min: 1}}}\n  - id: E\n    when: {shipper_name: '" +
                                      to + "'}\n");
    ASSERT_TRUE(rules);
    Record r = testing::MakeRecord(*rules, {{"shipper_name", value}});
    const auto fired = testing::Fired(rules, r);
    const bool s = std::find(fired.begin(), fired.end(), "S") != fired.end();
    const bool e = std::find(fired.begin(), fired.end(), "E") != fired.end();
    EXPECT_EQ(s, e) << to << " / " << value;
    EXPECT_EQ(s, to == value);
  }
}

TEST(Similar, Errors) {
  auto errs = [](const std::string& test) {
    return testing::Join(testing::Errors("rules:\n  - id: T\n    when: " + test + "\n"));
  };
  std::string e = errs("{shipper_name: {similar: {to: ACME}}}");
  EXPECT_NE(e.find("test.yaml:3:36: error: [T] similar needs min"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: ACME, min: high}}}");
  EXPECT_NE(e.find("test.yaml:3:52:"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: ACME, min: 0}}}");
  EXPECT_NE(e.find("test.yaml:3:52: error: [T] similar's min must be a number with 0 < min <= 1, not 0"),
            std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: ACME, min: 1.01}}}");
  EXPECT_NE(e.find("not 1.01"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: ACME, min: -0.5}}}");
  EXPECT_NE(e.find("not -0.5"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {min: 0.9}}}");
  EXPECT_NE(e.find("test.yaml:3:36: error: [T] similar needs to:"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: [], min: 0.9}}}");
  EXPECT_NE(e.find("test.yaml:3:41: error: [T] similar with an empty sequence can never hold"),
            std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: '...', min: 0.9}}}");
  EXPECT_NE(e.find("is empty once normalized"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: ACME, min: 0.9, max: 1}}}");
  EXPECT_NE(e.find("test.yaml:3:57: error: [T] unknown key 'max'"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: ACME}}");
  EXPECT_NE(e.find("test.yaml:3:36: error: [T] the operand of similar must be {to: OPERANDS, min: X}"),
            std::string::npos) << e;
  e = errs("{description: {similar: {to: GUCCI, min: 0.9}}}");
  EXPECT_NE(e.find("test.yaml:3:26: error: [T] operator 'similar' does not apply to text field "
                   "'description'; it applies to string, code, name and address fields"),
            std::string::npos) << e;
  e = errs("{quantity: {similar: {to: '10', min: 0.9}}}");
  EXPECT_NE(e.find("does not apply to number field 'quantity'"), std::string::npos) << e;
  e = errs("{arrival_date: {similar: {to: '2026-01-01', min: 0.9}}}");
  EXPECT_NE(e.find("does not apply to date field 'arrival_date'"), std::string::npos) << e;
  e = errs("{shipper_name: {similar: {to: {list: nope}, min: 0.9}}}");
  EXPECT_NE(e.find("list 'nope' is not defined"), std::string::npos) << e;
}

TEST(Similar, WarnsBelowPointEight) {
  CompileResult r = CompileString(
      "rules:\n  - id: T\n    when: {shipper_name: {similar: {to: ACME, min: 0.75}}}\n", "test.yaml");
  ASSERT_TRUE(r.ok());
  std::string all;
  for (const Issue& i : r.issues) all += i.ToString() + "\n";
  EXPECT_NE(all.find("test.yaml:3:52: warning: [T] similar with min 0.75 (below 0.8) holds for "
                     "many unrelated names"),
            std::string::npos) << all;
  r = CompileString("rules:\n  - id: T\n    when: {shipper_name: {similar: {to: ACME, min: 0.8}}}\n",
                    "test.yaml");
  ASSERT_TRUE(r.ok());
  for (const Issue& i : r.issues) EXPECT_EQ(i.ToString().find("below 0.8"), std::string::npos);
}

TEST(Similar, ExplainShowsTheBestOperand) {
  auto rules = testing::MustCompile(
      "rules:\n  - id: T\n    when: {shipper_name: {similar: {to: ['Shenzhen Bright Star', "
      "'Shenzhen Bright Sun', XYZ], min: 0.92}}}\n");
  ASSERT_TRUE(rules);
  Record r = testing::MakeRecord(*rules, {{"shipper_name", "Shenzhen Brite Star Co"}});
  Explanation ex = Explain(*rules, r, 0, 20000);
  ASSERT_TRUE(ex.fires);
  const std::string text = FormatExplanation(*rules, ex);
  EXPECT_NE(text.find("(shipper_name ~ \"SHENZHEN BRIGHT STAR\" 0.969 >= 0.92)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("shipper_name similar [\"SHENZHEN BRIGHT STAR\", \"SHENZHEN BRIGHT SUN\", "
                      "\"XYZ\"] min 0.92"),
            std::string::npos) << text;
  std::string json;
  AppendExplanationJson(*rules, ex, &json);
  EXPECT_NE(json.find("\"similar\":{\"operand\":\"SHENZHEN BRIGHT STAR\",\"similarity\":"
                      "0.9694736842105263,\"min\":0.92}"),
            std::string::npos) << json;
  // Below min: the comparison reads the other way.
  Record far = testing::MakeRecord(*rules, {{"shipper_name", "Shenzhen Brite Stars Trading"}});
  const std::string no = FormatExplanation(*rules, Explain(*rules, far, 0, 20000));
  EXPECT_NE(no.find(" < 0.92)"), std::string::npos) << no;
  // A missing value has no best operand.
  Record none = testing::MakeRecord(*rules, {});
  EXPECT_EQ(FormatExplanation(*rules, Explain(*rules, none, 0, 20000)).find(" ~ "), std::string::npos);
}

// ---- The filter against brute force ------------------------------------------------

std::vector<std::string> SdnNames() {
  std::vector<std::string> out;
  std::ifstream in(std::string(TARGETING_SOURCE_DIR) + "/rules/lists/sdn-entities.txt");
  std::string line, norm, err;
  double unused = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    norm.clear();
    NormalizeValue(FieldType::kName, line, &norm, &unused, &err);
    if (!norm.empty()) out.push_back(norm);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// A variant of a name: typos, transpositions, dropped and added words.
std::string Variant(testing::Rng& rng, std::string v) {
  const int edits = rng.Below(4);
  for (int e = 0; e < edits && v.size() > 1; ++e) {
    const auto at = static_cast<std::size_t>(rng.Below(static_cast<int>(v.size())));
    switch (rng.Below(6)) {
      case 0: v[at] = static_cast<char>('A' + rng.Below(26)); break;
      case 1: v.erase(at, 1); break;
      case 2: v.insert(at, 1, static_cast<char>('A' + rng.Below(26))); break;
      case 3:
        if (at + 1 < v.size()) std::swap(v[at], v[at + 1]);
        break;
      case 4: v += rng.Chance(0.5) ? " TRADING" : " INTERNATIONAL"; break;
      default: {
        const std::size_t sp = v.rfind(' ');
        if (sp != std::string::npos && sp > 0) v.resize(sp);
      }
    }
  }
  return v;
}

struct PairTally {
  std::uint64_t pairs = 0, holding = 0, operands = 0, candidates = 0, mismatches = 0;
};

// Every operand at or above min must be among the filter's candidates, and
// Holds must be exactly "some operand at or above min".
void Check(const internal::SimilarFilter& filter, const std::vector<std::string>& list,
           const std::string& value, internal::SimilarScratch* scratch, PairTally* t) {
  std::vector<char> candidate(list.size(), 0);
  std::uint64_t n = 0;
  filter.ForCandidates(value, scratch, [&](std::uint32_t id) {
    candidate[id] = 1;
    ++n;
    return false;
  });
  bool any = false;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (JaroWinkler(value, list[i]) >= filter.min()) {
      any = true;
      if (!candidate[i]) {
        ++t->mismatches;
        ADD_FAILURE() << "filter dropped '" << list[i] << "' for '" << value << "' at min "
                      << filter.min() << " (similarity " << JaroWinkler(value, list[i]) << ")";
      }
    }
  }
  if (filter.Holds(value, scratch) != any) {
    ++t->mismatches;
    ADD_FAILURE() << "Holds('" << value << "') != brute force at min " << filter.min();
  }
  ++t->pairs;
  t->holding += any;
  t->operands += list.size();
  t->candidates += n;
}

TEST(SimilarFilter, SdnListMatchesBruteForce) {
  const std::vector<std::string> sdn = SdnNames();
  ASSERT_GT(sdn.size(), 6000u);
  testing::Rng rng(2026);
  for (double min : {0.92, 0.85, 0.97}) {
    const auto start = std::chrono::steady_clock::now();
    internal::SimilarFilter filter(sdn, min);
    const double build_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    internal::SimilarScratch scratch;
    PairTally t;
    for (int i = 0; i < 60; ++i) {
      std::string v = rng.Chance(0.2) ? std::string(1, static_cast<char>('A' + rng.Below(26)))
                                      : Variant(rng, rng.Pick(sdn));
      if (v.empty()) v = "X";
      Check(filter, sdn, v, &scratch, &t);
    }
    EXPECT_EQ(t.mismatches, 0u);
    EXPECT_GT(t.holding, 12u) << "too few values reach min " << min;
    // The filter must actually filter: at 0.92 fewer than 1% are compared.
    if (min >= 0.92) {
      EXPECT_LT(t.candidates * 100, t.operands) << "min " << min;
    }
    std::printf("SDN (%zu names) at min %.2f: filter built in %.1f ms, %.1f MB; %llu values, "
                "%llu hold, %.4f%% of operands compared\n",
                sdn.size(), min, build_ms, static_cast<double>(filter.MemoryBytes()) / 1e6,
                static_cast<unsigned long long>(t.pairs),
                static_cast<unsigned long long>(t.holding), 100.0 * static_cast<double>(t.candidates) /
                                                                static_cast<double>(t.operands));
  }
}

// Answers are cached in the scratch by filter; a filter made where another
// was must not be given the other's answers.
TEST(SimilarFilter, CacheIsPerFilter) {
  internal::SimilarScratch scratch;
  for (int i = 0; i < 50; ++i) {
    const bool first = i % 2 == 0;
    auto filter = std::make_unique<internal::SimilarFilter>(
        std::vector<std::string>{first ? "ACME TRADING" : "ZENITH LOGISTICS"}, 0.9);
    EXPECT_EQ(filter->Holds("ACME TRADING", &scratch), first) << i;
    EXPECT_EQ(filter->Holds("ACME TRADING", &scratch), first) << i;  // from the cache
  }
  EXPECT_GE(scratch.cache_hits, 50u);
}

// The answer cache is set-associative: values whose hashes share a set all
// stay (a direct-mapped cache lost one of every two that shared a slot, and
// on the gen corpus answered 88% of lookups instead of 99%), and a full set
// gives up the way read least recently, not one in use.
TEST(SimilarFilter, CacheKeepsValuesThatShareASet) {
  using Cache = internal::SimilarScratch::AnswerCache;
  internal::SimilarFilter filter({"ACME TRADING", "ZENITH LOGISTICS"}, 0.9);
  internal::SimilarScratch scratch;
  // The first filter's serial is unknown here, so draw values against a
  // cache of one filter id and drive Find/Insert directly.
  Cache cache;
  const std::uint64_t id = 7;
  std::vector<std::string> same_set;
  const std::uint64_t target = Cache::Hash(id, "V0") & (Cache::kSets - 1);
  for (int i = 0; same_set.size() < Cache::kWays + 1; ++i) {
    std::string v = "V" + std::to_string(i);
    if ((Cache::Hash(id, v) & (Cache::kSets - 1)) == target) same_set.push_back(v);
  }
  for (std::size_t i = 0; i < Cache::kWays; ++i) {
    const std::string& v = same_set[i];
    EXPECT_EQ(cache.Find(id, v, Cache::Hash(id, v)), -1) << v;
    cache.Insert(id, v, Cache::Hash(id, v), i % 2 == 0);
  }
  for (std::size_t i = 0; i < Cache::kWays; ++i) {
    const std::string& v = same_set[i];
    EXPECT_EQ(cache.Find(id, v, Cache::Hash(id, v)), i % 2 == 0 ? 1 : 0) << v;
  }
  EXPECT_EQ(cache.Find(id + 1, same_set[0], Cache::Hash(id, same_set[0])), -1) << "another filter's answer";
  // Reading every way but way 1 leaves way 1 the one not read lately, and
  // a ninth value takes it.
  for (std::size_t i = 0; i < Cache::kWays; ++i) {
    const std::string& v = same_set[i];
    if (i != 1) (void)cache.Find(id, v, Cache::Hash(id, v));
  }
  const std::string& ninth = same_set[Cache::kWays];
  cache.Insert(id, ninth, Cache::Hash(id, ninth), true);
  EXPECT_EQ(cache.Find(id, ninth, Cache::Hash(id, ninth)), 1);
  EXPECT_EQ(cache.Find(id, same_set[1], Cache::Hash(id, same_set[1])), -1) << "the way read least recently goes";
  for (std::size_t i = 0; i < Cache::kWays; ++i) {
    const std::string& v = same_set[i];
    if (i == 1) continue;
    EXPECT_EQ(cache.Find(id, v, Cache::Hash(id, v)), i % 2 == 0 ? 1 : 0) << v << " was read lately";
  }
  // A value longer than the slots hold is never kept; the filter answers it.
  const std::string longer(Cache::kCachedBytes + 1, 'A');
  cache.Insert(id, longer, Cache::Hash(id, longer), true);
  EXPECT_EQ(cache.Find(id, longer, Cache::Hash(id, longer)), -1);
  EXPECT_FALSE(filter.Holds(longer, &scratch));
  EXPECT_FALSE(filter.Holds(longer, &scratch));
  EXPECT_EQ(scratch.cache_hits, 0u);
}

// A reload of an unchanged list shares the filter the served set holds; a
// changed list, or one no set holds any more, is built afresh.
TEST(SimilarFilter, SharedWhileAlive) {
  const std::vector<std::string> acme = {"ACME TRADING", "ACME TRADING CO"};
  const std::vector<std::string> zenith = {"ZENITH LOGISTICS"};
  std::shared_ptr<const internal::SimilarFilter> a = internal::SimilarFilter::Shared("acme@0.9", acme, 0.9);
  std::shared_ptr<const internal::SimilarFilter> again = internal::SimilarFilter::Shared("acme@0.9", acme, 0.9);
  EXPECT_EQ(a.get(), again.get());
  std::shared_ptr<const internal::SimilarFilter> z = internal::SimilarFilter::Shared("zenith@0.9", zenith, 0.9);
  EXPECT_NE(z.get(), a.get());
  internal::SimilarScratch scratch;
  EXPECT_TRUE(z->Holds("ZENITH LOGISTIC", &scratch));
  EXPECT_FALSE(z->Holds("ACME TRADING", &scratch));
  a.reset();
  again.reset();  // no set holds the list now: the next one is built afresh
  std::shared_ptr<const internal::SimilarFilter> fresh = internal::SimilarFilter::Shared("acme@0.9", acme, 0.9);
  EXPECT_TRUE(fresh->Holds("ACME TRADING", &scratch));
  EXPECT_FALSE(fresh->Holds("ZENITH LOGISTICS", &scratch));
}

// 10^6 (value, list) pairs with TARGETING_SIMILAR_LONG=1; 10^4 otherwise.
TEST(SimilarFilter, RandomListsMatchBruteForce) {
  const bool long_mode = std::getenv("TARGETING_SIMILAR_LONG") &&
                         std::string(std::getenv("TARGETING_SIMILAR_LONG")) == "1";
  const std::uint64_t target = long_mode ? 1'000'000 : 10'000;
  const std::vector<std::string> sdn = SdnNames();
  testing::Rng rng(99);
  const std::vector<double> mins = {1, 0.99, 0.95, 0.92, 0.9, 0.85, 0.8, 0.7, 0.5, 0.3, 0.05};
  const std::string alphabet = "ABCDE XY0";
  PairTally t;
  internal::SimilarScratch scratch;
  while (t.pairs < target) {
    // A list: SDN names, or short strings over a small alphabet (many
    // repeated bytes, all lengths), or their variants.
    std::vector<std::string> list;
    const bool small_alphabet = rng.Chance(0.3);
    const int size = rng.Between(1, 300);
    for (int i = 0; i < size; ++i) {
      if (small_alphabet) {
        std::string s;
        for (int k = rng.Between(1, 12); k > 0; --k) s += alphabet[static_cast<std::size_t>(rng.Below(9))];
        list.push_back(s);
      } else {
        list.push_back(rng.Chance(0.8) ? rng.Pick(sdn) : Variant(rng, rng.Pick(sdn)));
      }
    }
    const double min = rng.Pick(mins);
    internal::SimilarFilter filter(list, min);
    for (int v = 0; v < 100; ++v) {
      std::string value;
      if (small_alphabet) {
        value = rng.Chance(0.5) ? Variant(rng, rng.Pick(list)) : std::string();
        for (int k = value.empty() ? rng.Between(1, 12) : 0; k > 0; --k) {
          value += alphabet[static_cast<std::size_t>(rng.Below(9))];
        }
      } else {
        value = Variant(rng, rng.Pick(list));
      }
      if (value.empty()) value = "A";
      Check(filter, list, value, &scratch, &t);
    }
  }
  EXPECT_EQ(t.mismatches, 0u);
  EXPECT_GT(t.holding, t.pairs / 10);
  std::printf("%llu (value, list) pairs, %llu holding, 0 mismatches expected: %llu; %.2f%% of "
              "operands compared\n",
              static_cast<unsigned long long>(t.pairs), static_cast<unsigned long long>(t.holding),
              static_cast<unsigned long long>(t.mismatches),
              100.0 * static_cast<double>(t.candidates) / static_cast<double>(t.operands));
}

}  // namespace
}  // namespace targeting
