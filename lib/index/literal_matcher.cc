#include "index/literal_matcher.h"

#include <algorithm>
#include <deque>

namespace targeting::internal {

std::uint32_t LiteralMatcher::Add(std::string_view literal) {
  if (trie_.empty()) trie_.emplace_back();
  std::uint32_t s = 0;
  for (unsigned char c : literal) {
    auto& next = trie_[s].next;
    auto it = std::lower_bound(next.begin(), next.end(), c,
                               [](const auto& p, unsigned char b) { return p.first < b; });
    if (it != next.end() && it->first == c) {
      s = it->second;
      continue;
    }
    const auto child = static_cast<std::uint32_t>(trie_.size());
    next.insert(it, {c, child});
    trie_.emplace_back();  // invalidates `next`; not used again
    s = child;
  }
  if (trie_[s].end == kNone) {
    trie_[s].end = static_cast<std::uint32_t>(literals_.size());
    literals_.emplace_back(literal);
  }
  return trie_[s].end;
}

void LiteralMatcher::Build(bool force_by_state) {
  if (trie_.empty()) trie_.emplace_back();
  // Bytes that occur in no literal share class 0: from any state they lead
  // back to the root, which keeps the table narrow.
  class_of_.fill(0);
  classes_ = 1;
  for (const BuildNode& n : trie_) {
    for (const auto& [c, child] : n.next) {
      if (class_of_[c] == 0) class_of_[c] = static_cast<std::uint8_t>(classes_++);
    }
  }
  const std::size_t n = trie_.size();
  std::vector<std::uint32_t> delta(n * classes_, 0);  // next states
  std::vector<std::uint32_t> fail(n, 0);
  report_.assign(n, kNone);
  dict_.assign(n, kNone);
  // Breadth-first: a state's failure target is shallower, so it is complete
  // when the state is reached.
  std::deque<std::uint32_t> queue;
  for (const auto& [c, child] : trie_[0].next) {
    delta[class_of_[c]] = child;
    fail[child] = 0;
    queue.push_back(child);
  }
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    const std::uint32_t f = fail[s];
    // Transitions not in the trie follow the failure state's.
    std::copy_n(&delta[static_cast<std::size_t>(f) * classes_], classes_,
                &delta[static_cast<std::size_t>(s) * classes_]);
    for (const auto& [c, child] : trie_[s].next) {
      fail[child] = delta[static_cast<std::size_t>(f) * classes_ + class_of_[c]];
      delta[static_cast<std::size_t>(s) * classes_ + class_of_[c]] = child;
      queue.push_back(child);
    }
    // The chain of states where literals end, nearest first.
    dict_[s] = report_[f];
    report_[s] = trie_[s].end != kNone ? s : dict_[s];
  }
  // Offsets and flags for Scan (see the header), in place.
  by_state_ = force_by_state || static_cast<std::uint64_t>(n) * classes_ > (kReports - 1);
  if (!by_state_) {
    for (std::uint32_t& next : delta) {
      const bool reports = report_[next] != kNone;
      next = next * classes_ | (reports ? kReports : 0);
    }
  }
  step_ = std::move(delta);
  out_begin_.assign(n + 1, 0);
  for (std::size_t s = 0; s < n; ++s) out_begin_[s + 1] = out_begin_[s] + (trie_[s].end != kNone);
  out_.assign(out_begin_[n], 0);
  for (std::size_t s = 0; s < n; ++s) {
    if (trie_[s].end != kNone) out_[out_begin_[s]] = trie_[s].end;
  }
  trie_.clear();
  trie_.shrink_to_fit();
}

std::size_t LiteralMatcher::MemoryBytes() const {
  std::size_t bytes = sizeof(*this);
  for (const std::string& l : literals_) bytes += l.capacity();
  bytes += literals_.capacity() * sizeof(std::string);
  bytes += (step_.capacity() + report_.capacity() + dict_.capacity() + out_begin_.capacity() +
            out_.capacity()) *
           sizeof(std::uint32_t);
  return bytes;
}

}  // namespace targeting::internal
