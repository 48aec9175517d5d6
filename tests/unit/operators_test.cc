// Table tests for every operator and combinator of SPEC section 4, including
// the missing-value and list-field rules. Expected values are written from
// the spec by hand; each case is checked with the reference evaluator and the
// indexed matcher (test_util's Fired asserts they agree).
#include <gtest/gtest.h>

#include "test_util.h"

namespace targeting {
namespace {

using testing::Fields;

struct OperatorCase {
  const char* when;  // a YAML flow mapping
  Fields record;
  bool fires;
};

void RunCases(const std::vector<OperatorCase>& cases) {
  for (const OperatorCase& c : cases) {
    std::string yaml = std::string("lists:\n  brands: {values: [GUCCI, Chanel]}\n"
                                   "  ports: {values: ['2704', '4601']}\n"
                                   "  nums: {values: ['10', '2.5e1']}\n"
                                   "rules:\n  - id: T\n    when: ") + c.when + "\n";
    auto rules = testing::MustCompile(yaml);
    ASSERT_TRUE(rules) << c.when;
    Record r = testing::MakeRecord(*rules, c.record);
    bool fired = !testing::Fired(rules, r).empty();
    EXPECT_EQ(fired, c.fires) << "when: " << c.when;
  }
}

TEST(Operators, EqAndShorthand) {
  RunCases({
      {"{mode: SEA}", {{"mode", "sea"}}, true},              // code normalization both sides
      {"{mode: {eq: ' s-e-a '}}", {{"mode", "SEA"}}, true},
      {"{mode: AIR}", {{"mode", "SEA"}}, false},
      {"{mode: SEA}", {}, false},                             // missing
      {"{hts_code: 4202.21.6000}", {{"hts_code", "4202216000"}}, true},
      {"{shipper_name: 'Acme Trading Co., Ltd.'}", {{"shipper_name", "ACME TRADING LIMITED"}}, true},
      {"{description: Bags}", {{"description", "bags"}}, false},  // text eq is exact
      {"{description: Bags}", {{"description", "Bags"}}, true},
      {"{quantity: 1e3}", {{"quantity", "1000"}}, true},      // numbers compare as numbers
      {"{quantity: 1000}", {{"quantity", "1000.5"}}, false},
      {"{arrival_date: 2026-03-01}", {{"arrival_date", "2026-03-01"}}, true},
      {"{routing: HK}", {{"routing", "CN;HK"}}, true},        // list: any element
      {"{routing: HK}", {{"routing", "CN;SG"}}, false},
      {"{routing: HK}", {{"routing", ";;"}}, false},          // empty list is missing
  });
}

TEST(Operators, InAndNotIn) {
  RunCases({
      {"{port_of_entry: ['2704', '4601']}", {{"port_of_entry", "4601"}}, true},
      {"{port_of_entry: {in: {list: ports}}}", {{"port_of_entry", "2704"}}, true},
      {"{port_of_entry: {in: {list: ports}}}", {{"port_of_entry", "1001"}}, false},
      {"{port_of_entry: {in: [2704]}}", {}, false},
      {"{port_of_entry: {not_in: [2704]}}", {}, true},        // not_in true on missing
      {"{port_of_entry: {not_in: [2704]}}", {{"port_of_entry", "2704"}}, false},
      {"{routing: {not_in: [HK, MO]}}", {{"routing", "CN;HK"}}, false},  // some element equals
      {"{routing: {not_in: [HK, MO]}}", {{"routing", "CN;SG"}}, true},
      {"{quantity: {in: {list: nums}}}", {{"quantity", "25"}}, true},
      {"{quantity: {in: [1, 2]}}", {{"quantity", "2.0"}}, true},
  });
}

// An `in` of fewer than Predicate::kHashedFrom operands is searched in its
// sorted operands, a longer one in a hash set: both must find the first,
// the last and a middle operand and nothing between them, as strings and as
// numbers (0 and -0 are one number). Each `in` also sits behind a mode test,
// so that the index anchors on the mode and the `in` is verified.
TEST(Operators, InShortAndLongOperandLists) {
  std::string ports_short = "['2704', '4601', '1001']";
  std::string ports_long = "[";
  for (int i = 0; i < 20; ++i) ports_long += (i ? ", '" : "'") + std::to_string(3000 + 7 * i) + "'";
  ports_long += "]";
  std::string nums_long = "[0";
  for (int i = 1; i < 20; ++i) nums_long += ", " + std::to_string(i * 2.5);
  nums_long += "]";
  for (const std::string& pre : {std::string(""), std::string("mode: SEA, ")}) {
    RunCases({
        {("{" + pre + "port_of_entry: {in: " + ports_short + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "1001"}}, true},
        {("{" + pre + "port_of_entry: {in: " + ports_short + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "4601"}}, true},
        {("{" + pre + "port_of_entry: {in: " + ports_short + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3000"}}, false},
        {("{" + pre + "port_of_entry: {in: " + ports_short + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "9999"}}, false},
        {("{" + pre + "port_of_entry: {in: " + ports_long + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3000"}}, true},
        {("{" + pre + "port_of_entry: {in: " + ports_long + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3133"}}, true},
        {("{" + pre + "port_of_entry: {in: " + ports_long + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3070"}}, true},
        {("{" + pre + "port_of_entry: {in: " + ports_long + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3001"}}, false},
        {("{" + pre + "port_of_entry: {not_in: " + ports_long + "}}").c_str(), {{"mode", "SEA"}, {"port_of_entry", "3001"}}, true},
        {("{" + pre + "quantity: {in: [0, 5, 7.5]}}").c_str(), {{"mode", "SEA"}, {"quantity", "-0"}}, true},
        {("{" + pre + "quantity: {in: [0, 5, 7.5]}}").c_str(), {{"mode", "SEA"}, {"quantity", "7.5"}}, true},
        {("{" + pre + "quantity: {in: [0, 5, 7.5]}}").c_str(), {{"mode", "SEA"}, {"quantity", "6"}}, false},
        {("{" + pre + "quantity: {in: " + nums_long + "}}").c_str(), {{"mode", "SEA"}, {"quantity", "-0"}}, true},
        {("{" + pre + "quantity: {in: " + nums_long + "}}").c_str(), {{"mode", "SEA"}, {"quantity", "47.5"}}, true},
        {("{" + pre + "quantity: {in: " + nums_long + "}}").c_str(), {{"mode", "SEA"}, {"quantity", "46"}}, false},
    });
  }
}

TEST(Operators, NeAndExists) {
  RunCases({
      {"{mode: {ne: SEA}}", {{"mode", "AIR"}}, true},
      {"{mode: {ne: SEA}}", {{"mode", "SEA"}}, false},
      {"{mode: {ne: SEA}}", {}, true},                        // ne true on missing
      {"{routing: {ne: HK}}", {{"routing", "CN;HK"}}, false},  // no element equals -> false here
      {"{routing: {ne: HK}}", {{"routing", "CN;SG"}}, true},
      {"{importer_id: {exists: true}}", {{"importer_id", "12-345"}}, true},
      {"{importer_id: {exists: true}}", {{"importer_id", "--"}}, false},  // normalizes to empty
      {"{importer_id: {exists: false}}", {}, true},
      {"{value_per_kg: {exists: true}}", {{"declared_value_usd", "10"}, {"gross_weight_kg", "0"}}, false},
      {"{value_per_kg: {exists: true}}", {{"declared_value_usd", "10"}, {"gross_weight_kg", "4"}}, true},
  });
}

TEST(Operators, Prefix) {
  RunCases({
      {"{hts_code: {prefix: '4202.21'}}", {{"hts_code", "4202.21.6000"}}, true},
      {"{hts_code: {prefix: ['8708.30', '8708.95']}}", {{"hts_code", "870895.0500"}}, true},
      {"{hts_code: {prefix: ['8708.30']}}", {{"hts_code", "870899"}}, false},
      {"{hts_code: {prefix: '87'}}", {}, false},
      {"{shipper_name: {prefix: 'acme'}}", {{"shipper_name", "Acme Trading"}}, true},
      {"{routing: {prefix: H}}", {{"routing", "CN;HK"}}, true},
  });
}

TEST(Operators, ContainsAndContainsAny) {
  RunCases({
      {"{description: {contains: gucci}}", {{"description", "Genuine GUCCI bags"}}, true},
      {"{description: {contains: 'LOUIS VUITTON'}}", {{"description", "louis vuitton wallet"}}, true},
      {"{description: {contains: gucci}}", {{"description", "handbags"}}, false},
      {"{description: {contains: gucci}}", {}, false},
      {"{description: {contains_any: {list: brands}}}", {{"description", "chanel no 5"}}, true},
      {"{description: {contains_any: [airbag, 'brake pad']}}", {{"description", "BRAKE PADS"}}, true},
      {"{description: {contains_any: [airbag]}}", {{"description", "air bag"}}, false},
      {"{consignee_name: {contains: 'trad'}}", {{"consignee_name", "Acme Trading"}}, true},
      // OperatorCase folding is ASCII only: the Kelvin sign is not a k.
      {"{description: {contains: k}}", {{"description", "\xe2\x84\xaa"}}, false},
  });
}

TEST(Operators, Regex) {
  RunCases({
      {"{description: {regex: 'air ?bags?'}}", {{"description", "spare air bag"}}, true},
      {"{description: {regex: 'AIRBAG'}}", {{"description", "airbag"}}, false},  // case-sensitive
      {"{description: {regex: '(?i)AIRBAG'}}", {{"description", "airbag"}}, true},
      {"{description: {regex: ['^LED', 'lamp$']}}", {{"description", "desk lamp"}}, true},
      {"{description: {regex: '^LED'}}", {{"description", "a LED"}}, false},
      {"{hts_code: {regex: '^8542'}}", {{"hts_code", "8542.31"}}, true},  // against normalized value
      {"{hts_code: {regex: '\\.'}}", {{"hts_code", "8542.31"}}, false},
      {"{description: {regex: x}}", {}, false},
  });
}

TEST(Operators, Ranges) {
  RunCases({
      {"{declared_value_usd: {lt: 100}}", {{"declared_value_usd", "99.99"}}, true},
      {"{declared_value_usd: {lt: 100}}", {{"declared_value_usd", "100"}}, false},
      {"{declared_value_usd: {le: 100}}", {{"declared_value_usd", "100"}}, true},
      {"{declared_value_usd: {gt: 100}}", {{"declared_value_usd", "100"}}, false},
      {"{declared_value_usd: {ge: 100}}", {{"declared_value_usd", "100"}}, true},
      {"{declared_value_usd: {ge: 10, lt: 50}}", {{"declared_value_usd", "49"}}, true},
      {"{declared_value_usd: {ge: 10, lt: 50}}", {{"declared_value_usd", "50"}}, false},
      {"{declared_value_usd: {between: [10, 50]}}", {{"declared_value_usd", "50"}}, true},
      {"{declared_value_usd: {between: [10, 50]}}", {{"declared_value_usd", "9.999"}}, false},
      {"{declared_value_usd: {lt: 100}}", {}, false},
      {"{value_per_kg: {lt: 20}}", {{"declared_value_usd", "100"}, {"gross_weight_kg", "20"}}, true},
      {"{arrival_date: {between: [2026-01-01, 2026-01-31]}}", {{"arrival_date", "2026-01-31"}}, true},
      {"{arrival_date: {gt: 2026-01-31}}", {{"arrival_date", "2026-02-01"}}, true},
      {"{arrival_date: {lt: 2026-01-31}}", {{"arrival_date", "2026-02-01"}}, false},
  });
}

TEST(Operators, Combinators) {
  RunCases({
      {"{all: []}", {}, true},
      {"{any: []}", {}, false},
      {"{all: [{mode: SEA}, {routing: HK}]}", {{"mode", "SEA"}, {"routing", "HK"}}, true},
      {"{all: [{mode: SEA}, {routing: HK}]}", {{"mode", "SEA"}}, false},
      {"{any: [{mode: SEA}, {routing: HK}]}", {{"routing", "HK"}}, true},
      {"{not: {mode: SEA}}", {}, true},
      {"{not: {mode: SEA}}", {{"mode", "SEA"}}, false},
      {"{mode: SEA, routing: HK}", {{"mode", "SEA"}}, false},  // several fields are an all
      {"{mode: SEA, routing: HK}", {{"mode", "SEA"}, {"routing", "HK"}}, true},
      {"{at_least: 2, of: [{mode: SEA}, {routing: HK}, {quantity: {gt: 5}}]}",
       {{"mode", "SEA"}, {"quantity", "6"}}, true},
      {"{at_least: 2, of: [{mode: SEA}, {routing: HK}, {quantity: {gt: 5}}]}", {{"quantity", "6"}}, false},
      {"{at_least: 1, of: [{not: {mode: SEA}}]}", {}, true},
      {"{not: {not: {mode: SEA}}}", {{"mode", "SEA"}}, true},
  });
}

}  // namespace
}  // namespace targeting
