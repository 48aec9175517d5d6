// Entry conditions flattened for verification: each entry's condition tree
// becomes a run of fixed-size instructions, contiguous and in entry order,
// with the operands of the common tests inline, so that verifying a candidate
// reads a few cache lines instead of chasing Node and Predicate objects.
// Within all / any / at_least, cheap tests come first (evaluation is pure, so
// the order cannot change a result). Private header.
#ifndef TARGETING_LIB_INDEX_PROGRAM_H_
#define TARGETING_LIB_INDEX_PROGRAM_H_

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "plan/ruleset_data.h"
#include "eval/evaluate.h"
#include "targeting/record.h"

namespace targeting::internal {

struct Instr {
  enum class Kind : std::uint8_t { kLeaf, kAll, kAny, kNot, kAtLeast };
  Kind kind = Kind::kLeaf;
  Op op = Op::kEq;       // kLeaf
  bool numeric = false;  // kLeaf: the field is a number or date
  std::uint8_t decided = 0;  // kLeaf: for the matcher (how its probe decides the test)
  std::int32_t field = -1;
  std::uint32_t arg = 0;  // kLeaf: predicate id; otherwise the index just past the subtree
  std::uint32_t at_least = 0;
  double a = 0, b = 0;        // kLeaf: a number to compare with (eq, bounds, between)
  std::string_view str;       // kLeaf: the operand of a string eq
  const Predicate* pred = nullptr;  // kLeaf: for the tests not inlined
};

// The programs of a rule set. Immutable once built; thread-safe.
class Programs {
 public:
  Programs() = default;
  // Flattens the condition of every entry in `entries` (indices into
  // data.code), laid out in that order; data must outlive this.
  Programs(const RuleSetData& data, const std::vector<int>& entries);

  std::uint32_t start(std::uint32_t entry) const { return start_[entry]; }
  const Instr& at(std::uint32_t pc) const { return code_[pc]; }
  // Calls f(pc) for each leaf of the program at `pc` that must hold for it
  // to hold: the program itself when it is a leaf, else the leaves reached
  // through `all` nodes only.
  template <typename F>
  void ForRequiredLeaves(std::uint32_t pc, F&& f) const {
    const Instr& in = code_[pc];
    if (in.kind == Instr::Kind::kLeaf) {
      f(pc);
      return;
    }
    if (in.kind != Instr::Kind::kAll) return;
    for (std::uint32_t c = pc + 1; c < in.arg;) {
      ForRequiredLeaves(c, f);
      c = code_[c].kind == Instr::Kind::kLeaf ? c + 1 : code_[c].arg;
    }
  }
  // Sets Instr::decided on every leaf of predicate `pred` (build time).
  void SetDecided(const std::vector<std::uint8_t>& by_pred) {
    for (Instr& in : code_) {
      if (in.kind == Instr::Kind::kLeaf) in.decided = by_pred[in.arg];
    }
  }
  std::size_t MemoryBytes() const {
    return code_.capacity() * sizeof(Instr) + start_.capacity() * sizeof(std::uint32_t);
  }

  // Runs the program at `pc`. `leaf(instr)` answers a test (with memo).
  // Leaf children are answered in the loops, without a call per leaf.
  template <typename Leaf>
  bool Run(std::uint32_t pc, Leaf&& leaf) const {
    const Instr* code = code_.data();
    const Instr& in = code[pc];
    auto child = [&](std::uint32_t* c) {
      const Instr& k = code[*c];
      if (k.kind == Instr::Kind::kLeaf) {
        ++*c;
        return leaf(k);
      }
      const bool v = Run(*c, leaf);
      *c = k.arg;
      return v;
    };
    switch (in.kind) {
      case Instr::Kind::kLeaf:
        return leaf(in);
      case Instr::Kind::kAll:
        for (std::uint32_t c = pc + 1; c < in.arg;) {
          if (!child(&c)) return false;
        }
        return true;
      case Instr::Kind::kAny:
        for (std::uint32_t c = pc + 1; c < in.arg;) {
          if (child(&c)) return true;
        }
        return false;
      case Instr::Kind::kNot: {
        std::uint32_t c = pc + 1;
        return !child(&c);
      }
      case Instr::Kind::kAtLeast: {
        std::uint32_t holding = 0;
        for (std::uint32_t c = pc + 1; c < in.arg;) {
          if (child(&c) && ++holding >= in.at_least) return true;
        }
        return false;
      }
    }
    return false;
  }

 private:
  double Emit(const RuleSetData& data, int node);

  std::vector<Instr> code_;
  std::vector<std::uint32_t> start_;  // by entry index
};

// Whether the test of a leaf instruction holds on `record`: exactly
// EvalPredicate(*in.pred, record, as_of, measures), faster for the inlined operators.
inline bool EvalInstr(const Instr& in, const Record& record, Days as_of,
                      const AggregateMeasures* measures = nullptr) {
  const int f = in.field;
  switch (in.op) {
    case Op::kExists:
      return record.has(f);
    case Op::kEq:
      if (in.numeric) {
        for (int i = 0, n = record.count(f); i < n; ++i) {
          if (record.num(f, i) == in.a) return true;
        }
      } else {
        for (int i = 0, n = record.count(f); i < n; ++i) {
          if (record.str(f, i) == in.str) return true;
        }
      }
      return false;
    case Op::kIn:
      if (in.numeric) {
        for (int i = 0, n = record.count(f); i < n; ++i) {
          const double v = record.num(f, i);
          if (in.pred->InNumbers(v)) return true;
        }
      } else {
        for (int i = 0, n = record.count(f); i < n; ++i) {
          if (in.pred->InStrings(record.str(f, i))) return true;
        }
      }
      return false;
    case Op::kLt:
      for (int i = 0, n = record.count(f); i < n; ++i) {
        if (record.num(f, i) < in.a) return true;
      }
      return false;
    case Op::kLe:
      for (int i = 0, n = record.count(f); i < n; ++i) {
        if (record.num(f, i) <= in.a) return true;
      }
      return false;
    case Op::kGt:
      for (int i = 0, n = record.count(f); i < n; ++i) {
        if (record.num(f, i) > in.a) return true;
      }
      return false;
    case Op::kGe:
      for (int i = 0, n = record.count(f); i < n; ++i) {
        if (record.num(f, i) >= in.a) return true;
      }
      return false;
    case Op::kBetween:
      for (int i = 0, n = record.count(f); i < n; ++i) {
        const double v = record.num(f, i);
        if (in.a <= v && v <= in.b) return true;
      }
      return false;
    case Op::kRegex:
      // As RE2::PartialMatch, without its argument handling.
      for (int i = 0, n = record.count(f); i < n; ++i) {
        const std::string_view v = record.str(f, i);
        for (const auto& re : in.pred->regexes) {
          if (re->Match(v, 0, v.size(), RE2::UNANCHORED, nullptr, 0)) return true;
        }
      }
      return false;
    default:
      return EvalPredicate(*in.pred, record, as_of, measures);
  }
}

}  // namespace targeting::internal

#endif  // TARGETING_LIB_INDEX_PROGRAM_H_
