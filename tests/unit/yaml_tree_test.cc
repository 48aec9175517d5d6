// The checker's YAML front end (lib/load/yaml_tree.h): the tree built from
// parser events is the tree yaml-cpp's YAML::Load builds (kinds, scalars,
// marks, order, duplicates, aliases), and a file cut into pieces parsed on
// several threads gives the same tree and the same issues as one parse.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "load/yaml_source.h"
#include "load/yaml_tree.h"

namespace targeting::internal {
namespace {

template <typename N>
void Dump(const N& n, int depth, std::string* out) {
  const YAML::Mark m = n.Mark();
  *out += std::to_string(m.line) + ":" + std::to_string(m.column) + "@" + std::to_string(m.pos) + " ";
  if (depth > 12) {
    *out += "...\n";
    return;
  }
  if (n.IsNull()) {
    *out += "~\n";
  } else if (n.IsScalar()) {
    *out += "'" + std::string(n.Scalar()) + "'\n";
  } else if (n.IsSequence()) {
    *out += "[" + std::to_string(n.size()) + "\n";
    for (auto it = n.begin(); it != n.end(); ++it) Dump(N(*it), depth + 1, out);
    *out += "]\n";
  } else if (n.IsMap()) {
    *out += "{" + std::to_string(n.size()) + "\n";
    for (auto it = n.begin(); it != n.end(); ++it) {
      Dump(N(it->first), depth + 1, out);
      Dump(N(it->second), depth + 1, out);
    }
    *out += "}\n";
  }
}

std::string Issues(const std::vector<Issue>& issues) {
  std::string s;
  for (const Issue& i : issues) {
    s += i.file + ":" + std::to_string(i.line) + ":" + std::to_string(i.column) + ": " + i.message + "\n";
  }
  return s;
}

// The tree and issues of `text` parsed with `threads` and tiny pieces.
std::string Parse(const std::string& text, unsigned threads, std::string* issues) {
  ytree::Tree tree;
  std::vector<Issue> found;
  bool empty = false;
  auto root = ParseYamlTree("f.yaml", text, &found, &empty, &tree, threads, 1);
  *issues = Issues(found);
  std::string out = empty ? "empty " : "";
  if (root) Dump(*root, 0, &out);
  return out;
}

const std::string kTexts[] = {
    // The bench's shape: flow conditions under block items.
    "# header\nlanes: {red: 60, yellow: 30}\nrules:\n  - id: A\n    when: {all: [{mode: AIR}, "
    "{hts_code: {prefix: [\"42\", '43']}}]}\n  - id: B\n    status: draft\n    when: {mode: SEA}\n"
    "  # a comment\n\n  - id: C\n    description: |\n      two\n      lines\n    when:\n      any:\n"
    "        - {mode: AIR}\n        - mode: SEA\n  - id: D\n    weight: ~\n    name:\n    "
    "tags: !!str 12\n    when: {mode: SEA}\n    when: {mode: AIR}\n",
    // CRLF line ends.
    "rules:\r\n  - id: A\r\n    when: {mode: AIR}\r\n  - id: B\r\n    when: {mode: SEA}\r\n  - id: C\r\n"
    "    when: {mode: SEA}\r\n",
    // Items at the key's own indent.
    "rules:\n- id: A\n  when: {mode: AIR}\n- id: B\n  when: {mode: SEA}\n- id: C\n  when: {mode: SEA}\n",
    // An anchor in one item, its alias in a later one.
    "rules:\n  - id: A\n    when: &w {mode: AIR}\n  - id: B\n    when: {mode: SEA}\n  - id: C\n    when: *w\n"
    "  - id: D\n    when: *w\n",
    // Anchors redefined and used within items; a recursive alias.
    "rules:\n  - id: A\n    when: &w {mode: AIR}\n    x: *w\n  - id: B\n    when: &w {mode: SEA}\n"
    "    x: *w\n  - &e\n    id: C\n    self: *e\n",
    // A quoted scalar across an item line.
    "rules:\n  - id: A\n    name: \"one\n  - two\"\n  - id: B\n    when: {mode: SEA}\n  - id: C\n",
    "rules:\n  - id: A\n    name: 'it''s\n  - two'\n  - id: B\n  - id: C\n",
    "rules:\n  - id: A\n    name: \"a\\\" b\"\n  - id: B\n    name: 'it''s'\n  - id: C\n    name: \"x\"\n  - id: D\n",
    "rules:\n  - id: A\n    name: !!str \"a\n  - b\"\n  - id: B\n  - id: C\n",
    "rules:\n  - id: A\n    name: &n \"a\n  - b\"\n  - id: B\n  - id: C\n",
    "rules:\n  - id: A\n    when: {a: 1,\n  - b: 2}\n  - id: B\n  - id: C\n",
    "rules:\n  - id: A\n    note: O'Brien \"x\n  - id: B\n    x: a # it's\n  - id: C\n",
    // A flow collection across item lines.
    "rules:\n  - id: A\n    when: {all: [\n  - {mode: AIR}]}\n  - id: B\n    when: {mode: SEA}\n  - id: C\n",
    // A key after the rules.
    "rules:\n  - id: A\n    when: {mode: AIR}\n  - id: B\n    when: {mode: SEA}\nlists:\n  x: [a, b]\n",
    // Two documents.
    "rules:\n  - id: A\n    when: {mode: AIR}\n---\nrules:\n  - id: B\n    when: {mode: SEA}\n  - id: C\n",
    // A stray comma.
    "rules:\n  - id: A\n  - id: B\n,\n  - id: C\n",
    // Bad indentation inside a later item; a tab.
    "rules:\n  - id: A\n  - id: B\n      x: 1\n     y: 2\n  - id: C\n",
    "rules:\n  - id: A\n  - id: B\n\t- id: C\n  - id: D\n",
    // An alias to an anchor that is never defined.
    "rules:\n  - id: A\n  - id: B\n    when: *nope\n  - id: C\n",
    // A BOM; directives.
    "\xEF\xBB\xBFrules:\n  - id: A\n  - id: B\n  - id: C\n",
    "%YAML 1.2\n---\nrules:\n  - id: A\n  - id: B\n  - id: C\n",
    // Not a block sequence under rules.
    "rules: [{id: A}, {id: B},\n  {id: C}]\n",
    "rules:\n  - id: A\n  -\n  - id: C\n  - \n",
    "rules:\n  - - a\n    - b\n  - - c\n  - d\n",
    // Deep nesting.
    "rules:\n  - id: A\n  - " + std::string(3000, '[') + "\n  - id: C\n",
};

TEST(YamlTree, SameTreeAsYamlCppNodeBuilder) {
  for (const std::string& text : kTexts) {
    SCOPED_TRACE(text);
    std::string issues;
    std::string ours = Parse(text, 1, &issues);
    if (!issues.empty()) continue;
    std::string theirs;
    try {
      YAML::Node doc = YAML::Load(text);
      if (doc.IsNull()) theirs = "empty ";
      Dump(doc, 0, &theirs);
    } catch (const YAML::Exception&) {
      theirs = "exception";
    }
    EXPECT_EQ(ours, theirs);
  }
}

TEST(YamlTree, PiecesOnThreadsGiveTheSameTreeAndIssues) {
  for (const std::string& text : kTexts) {
    SCOPED_TRACE(text);
    std::string issues1;
    const std::string one = Parse(text, 1, &issues1);
    for (unsigned threads : {2u, 3u, 4u, 7u}) {
      std::string issues_n;
      EXPECT_EQ(Parse(text, threads, &issues_n), one) << threads << " threads";
      EXPECT_EQ(issues_n, issues1) << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace targeting::internal
