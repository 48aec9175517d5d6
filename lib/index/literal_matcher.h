// Multi-literal search (Aho-Corasick) over bytes: finds every literal of a
// fixed set that occurs in a text in one pass. Used for `contains` /
// `contains_any` operands and for the required literals of regexes.
// Private header.
#ifndef TARGETING_LIB_INDEX_LITERAL_MATCHER_H_
#define TARGETING_LIB_INDEX_LITERAL_MATCHER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace targeting::internal {

// Add() the literals, Build() once, then Scan() any number of times.
// Matching is byte for byte: callers fold case before adding and scanning.
// Thread-compatible while building; immutable and thread-safe after Build().
class LiteralMatcher {
 public:
  // Adds a non-empty literal and returns its id (0, 1, ...); adding the same
  // bytes again returns the first id. Precondition: Build() not yet called.
  std::uint32_t Add(std::string_view literal);
  // force_by_state: the table Build falls back to for an automaton too
  // large for offsets (tests reach it so).
  void Build(bool force_by_state = false);

  std::size_t literal_count() const { return literals_.size(); }
  const std::string& literal(std::uint32_t id) const { return literals_[id]; }
  bool empty() const { return literals_.empty(); }
  std::size_t MemoryBytes() const;

  // Calls on_hit(literal id) for each occurrence of each literal in `text`
  // (a literal that occurs twice is reported twice). No allocation.
  template <typename F>
  void Scan(std::string_view text, F&& on_hit) const {
    if (literals_.empty()) return;
    // The state is its row's offset in step_, so a byte costs one load and
    // one add on the chain from byte to byte; a state where literals end is
    // flagged in the entry that leads to it, so the rest do not read report_.
    // The literals ending at `state` and along its chain.
    auto report = [&](std::uint32_t state) {
      for (std::uint32_t t = report_[state]; t != kNone; t = dict_[t]) {
        for (std::uint32_t k = out_begin_[t]; k < out_begin_[t + 1]; ++k) on_hit(out_[k]);
      }
    };
    std::uint32_t s = 0;
    const std::uint32_t* step = step_.data();
    if (by_state_) {
      for (unsigned char c : text) {
        s = step[static_cast<std::size_t>(s) * classes_ + class_of_[c]];
        report(s);
      }
      return;
    }
    for (unsigned char c : text) {
      s = step[s + class_of_[c]];
      if (s & kReports) [[unlikely]] {
        s &= ~kReports;
        report(s / classes_);
      }
    }
  }

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;

  struct BuildNode {
    std::vector<std::pair<unsigned char, std::uint32_t>> next;  // sorted by byte
    std::uint32_t end = kNone;                                  // the literal ending here
  };

  std::vector<std::string> literals_;
  std::vector<BuildNode> trie_;  // cleared by Build()

  // The automaton: step_[state * classes_ + class] is the next state's
  // offset (next * classes_), with kReports set when report_[next] != kNone;
  // or, when offsets would not fit in 31 bits (tens of millions of states),
  // by_state_ and the next state itself.
  static constexpr std::uint32_t kReports = 0x80000000u;
  bool by_state_ = false;
  std::array<std::uint8_t, 256> class_of_{};
  std::uint32_t classes_ = 1;
  std::vector<std::uint32_t> step_;
  // report_[s]: s itself when literals end at s, else the nearest state on
  // s's failure chain where literals end, else kNone. dict_[t] continues the
  // chain from such a state.
  std::vector<std::uint32_t> report_;
  std::vector<std::uint32_t> dict_;
  std::vector<std::uint32_t> out_begin_;  // CSR of literal ids ending at each state
  std::vector<std::uint32_t> out_;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_LITERAL_MATCHER_H_
