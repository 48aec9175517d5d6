// A compact, read-only YAML tree built straight from yaml-cpp's event API
// (YAML::Parser + an EventHandler) for rule-set files: nodes in one array,
// children in another, scalars in a third, each node with its mark. It keeps
// what yaml-cpp's own NodeBuilder keeps and nothing else -- null, scalar,
// sequence and mapping nodes in document order, duplicate keys, aliases as
// references to the anchored node (with the anchor's mark; an anchor may be
// referenced from inside itself) -- so a walk over it sees exactly what a walk
// over a YAML::Node tree saw, at a fraction of the memory and time (no
// shared_ptr per node, no memory holder set, no per-node heap maps).
//
// ytree::Node mimics the part of YAML::Node's interface the checker uses, so
// the checker reads the same either way. Private header.
#ifndef TARGETING_LIB_LOAD_YAML_TREE_H_
#define TARGETING_LIB_LOAD_YAML_TREE_H_

#include "load/yaml.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::internal::ytree {

enum class Kind : std::uint8_t { kNull, kScalar, kSequence, kMap };

// One document. Built by TreeBuilder (yaml_tree.cc); immutable afterwards.
struct Tree {
  struct Rec {
    Kind kind = Kind::kNull;
    std::uint32_t value = 0;  // scalar: its index (Tree::scalar); collection: first child in kids
    std::uint32_t count = 0;  // collection: children (a map: 2 per pair, key then value)
    std::int32_t pos = -1, line = -1, column = -1;  // YAML::Mark, 0-based
  };
  std::vector<Rec> nodes;
  std::vector<std::uint32_t> kids;
  // The scalars' bytes, one after another, and where each ends: scalar i is
  // chars[ends[i - 1], ends[i]) (ends[-1] being 0). A std::string each took
  // 32 bytes and a heap block past 15 bytes: ~60 MB for a 22 MB rule file.
  std::string chars;
  std::vector<std::uint64_t> ends;
  std::uint32_t root = 0;

  std::size_t scalar_count() const { return ends.size(); }
  std::string_view scalar(std::uint32_t i) const {
    const std::uint64_t b = i == 0 ? 0 : ends[i - 1];
    return std::string_view(chars).substr(b, ends[i] - b);
  }
  void AddScalar(std::string_view v) {
    chars.append(v);
    ends.push_back(chars.size());
  }
  // Gives back what growing by doubling left unused: a tree lives through
  // the compile.
  void ShrinkToFit() {
    nodes.shrink_to_fit();
    kids.shrink_to_fit();
    ends.shrink_to_fit();
    chars.shrink_to_fit();
  }
};

class Node;

// What a map or sequence iterator yields, like yaml-cpp's iterator_value: the
// element itself for a sequence, `first` and `second` for a mapping.
struct Item;

class Node {
 public:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  // A null node with a null mark, as a default-constructed YAML::Node.
  Node() = default;
  Node(const Tree* tree, std::uint32_t index) : tree_(tree), index_(index) {}

  bool IsDefined() const { return true; }
  bool IsNull() const { return kind() == Kind::kNull; }
  bool IsScalar() const { return kind() == Kind::kScalar; }
  bool IsSequence() const { return kind() == Kind::kSequence; }
  bool IsMap() const { return kind() == Kind::kMap; }
  // Valid while the tree lives (it does not change once built).
  std::string_view Scalar() const;
  YAML::Mark Mark() const;
  // Elements of a sequence, pairs of a mapping, 0 otherwise.
  std::size_t size() const;
  // Element i of a sequence (i < size()); a null node otherwise.
  Node operator[](std::size_t i) const {
    if (!IsSequence() || i >= size()) return Node();
    return Node(tree_, tree_->kids[tree_->nodes[index_].value + i]);
  }

  class iterator;
  iterator begin() const;
  iterator end() const;

 private:
  Kind kind() const { return index_ == kNone ? Kind::kNull : tree_->nodes[index_].kind; }
  const Tree* tree_ = nullptr;
  std::uint32_t index_ = kNone;
};

struct Item : Node {
  Item() = default;
  Item(Node element, Node key, Node value) : Node(element), first(key), second(value) {}
  Node first;
  Node second;
};

class Node::iterator {
 public:
  struct Arrow {
    Item item;
    const Item* operator->() const { return &item; }
  };
  iterator(const Tree* tree, const std::uint32_t* at, bool map) : tree_(tree), at_(at), map_(map) {}
  Item operator*() const {
    if (map_) return Item(Node(), Node(tree_, at_[0]), Node(tree_, at_[1]));
    return Item(Node(tree_, at_[0]), Node(), Node());
  }
  Arrow operator->() const { return Arrow{**this}; }
  iterator& operator++() {
    at_ += map_ ? 2 : 1;
    return *this;
  }
  bool operator==(const iterator& o) const { return at_ == o.at_; }
  bool operator!=(const iterator& o) const { return at_ != o.at_; }

 private:
  const Tree* tree_;
  const std::uint32_t* at_;
  bool map_;
};

inline std::string_view Node::Scalar() const {
  return IsScalar() ? tree_->scalar(tree_->nodes[index_].value) : std::string_view();
}

inline YAML::Mark Node::Mark() const {
  if (index_ == kNone) return YAML::Mark::null_mark();
  YAML::Mark m;
  const Tree::Rec& r = tree_->nodes[index_];
  m.pos = r.pos;
  m.line = r.line;
  m.column = r.column;
  return m;
}

inline std::size_t Node::size() const {
  const Kind k = kind();
  if (k == Kind::kSequence) return tree_->nodes[index_].count;
  if (k == Kind::kMap) return tree_->nodes[index_].count / 2;
  return 0;
}

inline Node::iterator Node::begin() const {
  const Kind k = kind();
  if (k != Kind::kSequence && k != Kind::kMap) return iterator(nullptr, nullptr, false);
  const Tree::Rec& r = tree_->nodes[index_];
  return iterator(tree_, tree_->kids.data() + r.value, k == Kind::kMap);
}

inline Node::iterator Node::end() const {
  const Kind k = kind();
  if (k != Kind::kSequence && k != Kind::kMap) return iterator(nullptr, nullptr, false);
  const Tree::Rec& r = tree_->nodes[index_];
  return iterator(tree_, tree_->kids.data() + r.value + r.count, k == Kind::kMap);
}

// Builds the first document of a stream into `tree` from parser events, and
// records where every document (and its root node) starts, as the checker's
// document count needs. Later documents are not built.
class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(Tree* tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark& mark) override;
  void OnDocumentEnd() override;
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override;
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override;
  void OnSequenceEnd() override;
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override;
  void OnMapEnd() override;

  std::vector<YAML::Mark> starts;  // where each document starts (its first token)
  std::vector<YAML::Mark> roots;   // where each document's root node is
  bool built_root() const { return have_root_; }

 private:
  bool building() const { return starts.size() == 1; }
  void SeeNode(const YAML::Mark& mark);
  std::uint32_t NewNode(const YAML::Mark& mark, Kind kind, YAML::anchor_t anchor);
  void Attach(std::uint32_t index);
  void Close();

  Tree* tree_;
  bool in_root_ = false;
  bool have_root_ = false;
  std::vector<std::uint32_t> anchors_;  // anchor id -> node
  struct Open {
    std::uint32_t node;
    std::size_t first;  // where its children start in pending_
  };
  std::vector<Open> open_;
  std::vector<std::uint32_t> pending_;  // children of the open collections
};

}  // namespace targeting::internal::ytree

#endif  // TARGETING_LIB_LOAD_YAML_TREE_H_
