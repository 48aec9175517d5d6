#include "load/yaml_tree.h"

namespace targeting::internal::ytree {

void TreeBuilder::OnDocumentStart(const YAML::Mark& mark) {
  starts.push_back(mark);
  roots.push_back(mark);
  in_root_ = false;
  if (building()) {
    open_.clear();
    pending_.clear();
    anchors_.clear();
  }
}

void TreeBuilder::OnDocumentEnd() {}

void TreeBuilder::SeeNode(const YAML::Mark& mark) {
  if (!in_root_ && !roots.empty()) roots.back() = mark;
  in_root_ = true;
}

std::uint32_t TreeBuilder::NewNode(const YAML::Mark& mark, Kind kind, YAML::anchor_t anchor) {
  Tree::Rec rec;
  rec.kind = kind;
  rec.pos = mark.pos;
  rec.line = mark.line;
  rec.column = mark.column;
  const auto index = static_cast<std::uint32_t>(tree_->nodes.size());
  tree_->nodes.push_back(rec);
  if (anchor) {
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, Node::kNone);
    anchors_[anchor] = index;
  }
  return index;
}

void TreeBuilder::Attach(std::uint32_t index) {
  if (open_.empty()) {
    tree_->root = index;
    have_root_ = true;
    return;
  }
  pending_.push_back(index);
}

void TreeBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
  SeeNode(mark);
  if (!building()) return;
  Attach(NewNode(mark, Kind::kNull, anchor));
}

void TreeBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
  SeeNode(mark);
  if (!building()) return;
  // The parser rejects an alias of an anchor not seen yet; an anchor whose
  // node is still open (an alias inside it) refers to it, as in yaml-cpp.
  if (anchor >= anchors_.size() || anchors_[anchor] == Node::kNone) {
    throw YAML::ParserException(mark, YAML::ErrorMsg::UNKNOWN_ANCHOR);
  }
  Attach(anchors_[anchor]);
}

void TreeBuilder::OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                           const std::string& value) {
  SeeNode(mark);
  if (!building()) return;
  const std::uint32_t index = NewNode(mark, Kind::kScalar, anchor);
  tree_->nodes[index].value = static_cast<std::uint32_t>(tree_->scalar_count());
  tree_->AddScalar(value);
  Attach(index);
}

void TreeBuilder::OnSequenceStart(const YAML::Mark& mark, const std::string&,
                                  YAML::anchor_t anchor, YAML::EmitterStyle::value) {
  SeeNode(mark);
  if (!building()) return;
  const std::uint32_t index = NewNode(mark, Kind::kSequence, anchor);
  Attach(index);
  open_.push_back(Open{index, pending_.size()});
}

void TreeBuilder::OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                             YAML::EmitterStyle::value) {
  SeeNode(mark);
  if (!building()) return;
  const std::uint32_t index = NewNode(mark, Kind::kMap, anchor);
  Attach(index);
  open_.push_back(Open{index, pending_.size()});
}

void TreeBuilder::Close() {
  if (!building() || open_.empty()) return;
  const Open o = open_.back();
  open_.pop_back();
  Tree::Rec& rec = tree_->nodes[o.node];
  rec.value = static_cast<std::uint32_t>(tree_->kids.size());
  rec.count = static_cast<std::uint32_t>(pending_.size() - o.first);
  tree_->kids.insert(tree_->kids.end(), pending_.begin() + static_cast<std::ptrdiff_t>(o.first),
                     pending_.end());
  pending_.resize(o.first);
}

void TreeBuilder::OnSequenceEnd() { Close(); }
void TreeBuilder::OnMapEnd() { Close(); }

}  // namespace targeting::internal::ytree
