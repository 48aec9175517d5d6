#include "index/regex_index.h"

#include <re2/filtered_re2.h>

#include <algorithm>
#include <cstring>

namespace targeting::internal {

namespace {

std::atomic<bool> simulate_oom{false};

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

}  // namespace

namespace {

// Characters that stand for themselves in every RE2 context outside a class.
bool IsPlain(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::strchr(" -_,#/:;'\"!@%&=<>~`", c) != nullptr && c != '\0';
}

// The literals of the simplest and most common patterns, without compiling
// anything: an optional (?i), then an alternation of plain literals, which
// may be wrapped in one group and in \b ... \b. Each alternative must occur
// (up to case) for the pattern to match; dropping \b only widens what
// matches. Under (?i) RE2 also folds k and s with U+212A and U+017F, which
// PrefilterFoldDiffers maps back. nullopt: not of this shape.
std::optional<std::vector<std::string>> PlainAlternatives(std::string_view p, int min_len) {
  if (p.substr(0, 4) == "(?i)") p.remove_prefix(4);
  if (p.size() >= 4 && p.substr(0, 2) == "\\b" && p.substr(p.size() - 2) == "\\b") {
    p = p.substr(2, p.size() - 4);
  }
  if (p.substr(0, 3) == "(?:" && !p.empty() && p.back() == ')') {
    p = p.substr(3, p.size() - 4);
  } else if (!p.empty() && p.front() == '(' && p.back() == ')') {
    p = p.substr(1, p.size() - 2);
  }
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 0; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '|') {
      if (cur.size() < static_cast<std::size_t>(min_len)) return std::nullopt;
      out.push_back(cur);
      cur.clear();
      continue;
    }
    if (!IsPlain(p[i])) return std::nullopt;
    cur.push_back((p[i] >= 'A' && p[i] <= 'Z') ? static_cast<char>(p[i] + 32) : p[i]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// A pattern with no alternation at the top level that starts with a run of
// plain characters (LEATHER.*(REPLICA|WALLETS), SNEAKERS?\\b): every match
// starts with that run, less its last character when a quantifier follows.
// Bails out (nullopt) on anything that could hide a top-level '|' from this
// scan: \\Q...\\E, POSIX classes, inline flags other than a leading (?i).
std::optional<std::vector<std::string>> LeadingRun(std::string_view p, int min_len) {
  if (p.substr(0, 4) == "(?i)") p.remove_prefix(4);
  if (p.find("\\Q") != std::string_view::npos || p.find("[:") != std::string_view::npos) {
    return std::nullopt;
  }
  int depth = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j;
    } else if (c == '(') {
      if (p.substr(i, 2) == "(?" && p.substr(i, 3) != "(?:") return std::nullopt;
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return std::nullopt;
    }
  }
  std::size_t run = 0;
  while (run < p.size() && IsPlain(p[run])) ++run;
  if (run < p.size() && std::strchr("?*+{", p[run]) != nullptr && run > 0) --run;
  if (run < static_cast<std::size_t>(min_len)) return std::nullopt;
  std::string lit(p.substr(0, run));
  for (char& ch : lit) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
  return std::vector<std::string>{lit};
}

// Whether the prefilter's formula can still hold with every atom outside
// the set present: if so, the set is not a requirement.
bool PassesWithoutSet(const re2::FilteredRE2& filter, const std::vector<bool>& in_set) {
  std::vector<int> present, potential;
  for (std::size_t i = 0; i < in_set.size(); ++i) {
    if (!in_set[i]) present.push_back(static_cast<int>(i));
  }
  filter.AllPotentials(present, &potential);
  return !potential.empty();
}

// Drops from a requirement the atoms it does not need, shortest (least
// selective) first, so what is left is minimal.
void DropUnneededAtoms(const re2::FilteredRE2& filter, const std::vector<std::string>& atoms,
                       std::vector<bool>* in_set) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    if ((*in_set)[i]) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return atoms[a].size() < atoms[b].size(); });
  for (std::size_t i : order) {
    (*in_set)[i] = false;
    if (PassesWithoutSet(filter, *in_set)) (*in_set)[i] = true;
  }
}

}  // namespace

std::optional<std::vector<std::string>> RequiredLiterals(const RE2& re, int min_len) {
  if (re.options().encoding() == RE2::Options::EncodingUTF8 && re.options().case_sensitive() &&
      !re.options().literal() && !re.options().posix_syntax()) {
    if (auto plain = PlainAlternatives(re.pattern(), min_len)) return plain;
    if (auto run = LeadingRun(re.pattern(), min_len)) return run;
  }
  // FilteredRE2 reduces a pattern to a monotone formula over lower-cased
  // literals ("atoms") that holds whenever the pattern matches the
  // lower-cased text. A set S of atoms is a sound disjunctive requirement
  // exactly when the formula is false with every atom outside S present;
  // AllPotentials evaluates the formula for a given set of present atoms.
  re2::FilteredRE2 filter(min_len);
  int id = 0;
  if (filter.Add(re.pattern(), re.options(), &id) != RE2::NoError) return std::nullopt;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return std::nullopt;  // unfiltered: no literal is required
  std::vector<bool> in_set(atoms.size());
  for (std::size_t i = 0; i < atoms.size(); ++i) in_set[i] = IsAscii(atoms[i]);
  // Non-ASCII atoms are taken as present: the text is only ASCII-folded.
  if (PassesWithoutSet(filter, in_set)) return std::nullopt;
  DropUnneededAtoms(filter, atoms, &in_set);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    if (in_set[i]) out.push_back(atoms[i]);
  }
  if (out.empty()) return std::nullopt;  // cannot happen: the formula is not trivially false
  return out;
}

std::vector<std::vector<std::string>> FurtherRequiredLiterals(const RE2& re, int min_len,
                                                              const std::vector<std::string>& first,
                                                              std::size_t max_sets) {
  std::vector<std::vector<std::string>> out;
  if (max_sets == 0) return out;
  // As in RequiredLiterals: a set S is a sound requirement when the
  // prefilter's formula is false with every atom outside S present. Atoms
  // of earlier sets (and non-ASCII atoms) are taken as present, so each new
  // set says something the earlier ones do not.
  re2::FilteredRE2 filter(min_len);
  int id = 0;
  if (filter.Add(re.pattern(), re.options(), &id) != RE2::NoError) return out;
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  if (atoms.empty()) return out;
  std::vector<bool> used(atoms.size());
  for (std::size_t i = 0; i < atoms.size(); ++i) {
    used[i] = !IsAscii(atoms[i]) ||
              std::find(first.begin(), first.end(), atoms[i]) != first.end();
  }
  while (out.size() < max_sets) {
    std::vector<bool> in_set(atoms.size());
    for (std::size_t i = 0; i < atoms.size(); ++i) in_set[i] = !used[i];
    if (std::none_of(in_set.begin(), in_set.end(), [](bool b) { return b; }) ||
        PassesWithoutSet(filter, in_set)) {
      break;
    }
    DropUnneededAtoms(filter, atoms, &in_set);
    std::vector<std::string> set;
    for (std::size_t i = 0; i < atoms.size(); ++i) {
      if (!in_set[i]) continue;
      set.push_back(atoms[i]);
      used[i] = true;
    }
    if (set.empty()) break;  // cannot happen: the formula was false without them
    out.push_back(std::move(set));
  }
  return out;
}

bool LiteralsDecide(const RE2& re, int min_len) {
  const RE2::Options& o = re.options();
  if (o.encoding() != RE2::Options::EncodingUTF8 || !o.case_sensitive() || o.literal() ||
      o.posix_syntax()) {
    return false;
  }
  std::string_view p = re.pattern();
  if (p.substr(0, 4) != "(?i)") return false;  // case-sensitive: lower-casing loses case
  if (p.find("\\b") != std::string_view::npos) return false;  // \b is a further condition
  return PlainAlternatives(p, min_len).has_value();
}

bool PrefilterFoldDiffers(std::string_view text, std::string* out) {
  // U+017F is C5 BF, U+212A is E2 84 AA in UTF-8. Most text has neither
  // lead byte; look for them first.
  if (std::memchr(text.data(), 0xC5, text.size()) == nullptr &&
      std::memchr(text.data(), 0xE2, text.size()) == nullptr) {
    return false;
  }
  const std::size_t n = text.size();
  bool differs = false;
  for (std::size_t i = 0; i + 1 < n && !differs; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC5 && static_cast<unsigned char>(text[i + 1]) == 0xBF) differs = true;
    if (c == 0xE2 && i + 2 < n && static_cast<unsigned char>(text[i + 1]) == 0x84 &&
        static_cast<unsigned char>(text[i + 2]) == 0xAA) {
      differs = true;
    }
  }
  if (!differs) return false;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC5 && i + 1 < n && static_cast<unsigned char>(text[i + 1]) == 0xBF) {
      out->push_back('s');
      i += 1;
    } else if (c == 0xE2 && i + 2 < n && static_cast<unsigned char>(text[i + 1]) == 0x84 &&
               static_cast<unsigned char>(text[i + 2]) == 0xAA) {
      out->push_back('k');
      i += 2;
    } else {
      out->push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : static_cast<char>(c));
    }
  }
  return true;
}

void SimulateRegexSetOutOfMemoryForTesting(bool on) {
  simulate_oom.store(on, std::memory_order_relaxed);
}
bool RegexSetOutOfMemorySimulated() { return simulate_oom.load(std::memory_order_relaxed); }

void RegexSetGroup::Add(const RE2* re, std::uint32_t key) {
  pending_res_.push_back(re);
  pending_keys_.push_back(key);
}

bool RegexSetGroup::TryBuild(const std::vector<std::size_t>& members, std::int64_t max_mem,
                             std::vector<std::uint32_t>* unplaced) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(max_mem);
  Chunk chunk;
  chunk.set = std::make_unique<RE2::Set>(options, RE2::UNANCHORED);
  for (std::size_t m : members) {
    const RE2* re = pending_res_[m];
    // The set parses with the pattern's own options, so it matches exactly
    // what the pattern alone matches.
    RE2::Options o = re->options();
    if (o.encoding() != options.encoding() || o.case_sensitive() != options.case_sensitive() ||
        o.posix_syntax() != options.posix_syntax() || o.literal() != options.literal() ||
        o.longest_match() != options.longest_match()) {
      unplaced->push_back(pending_keys_[m]);
      continue;
    }
    if (chunk.set->Add(re->pattern(), nullptr) < 0) {
      unplaced->push_back(pending_keys_[m]);
      continue;
    }
    chunk.res.push_back(re);
    chunk.keys.push_back(pending_keys_[m]);
  }
  if (chunk.res.empty()) return true;
  if (!chunk.set->Compile()) return false;
  sets_.push_back(std::move(chunk));
  return true;
}

std::vector<std::uint32_t> RegexSetGroup::Build(std::int64_t max_mem, std::size_t max_patterns) {
  std::vector<std::uint32_t> unplaced;
  if (pending_res_.size() < kMinSetPatterns) {
    single_res_ = std::move(pending_res_);
    single_keys_ = std::move(pending_keys_);
    pending_res_.clear();
    pending_keys_.clear();
    return unplaced;
  }
  if (max_patterns < 1) max_patterns = 1;
  std::vector<std::vector<std::size_t>> work;
  for (std::size_t i = 0; i < pending_res_.size(); i += max_patterns) {
    std::vector<std::size_t> members;
    for (std::size_t k = i; k < std::min(pending_res_.size(), i + max_patterns); ++k) {
      members.push_back(k);
    }
    work.push_back(std::move(members));
  }
  while (!work.empty()) {
    std::vector<std::size_t> members = std::move(work.back());
    work.pop_back();
    if (TryBuild(members, max_mem, &unplaced)) continue;
    if (members.size() == 1) {
      unplaced.push_back(pending_keys_[members[0]]);
      continue;
    }
    // Too large for the budget: split in two and try again.
    const std::size_t half = members.size() / 2;
    work.emplace_back(members.begin() + static_cast<std::ptrdiff_t>(half), members.end());
    work.emplace_back(members.begin(), members.begin() + static_cast<std::ptrdiff_t>(half));
  }
  pending_res_.clear();
  pending_keys_.clear();
  return unplaced;
}

std::size_t RegexSetGroup::pattern_count() const {
  std::size_t n = single_res_.size();
  for (const Chunk& c : sets_) n += c.res.size();
  return n;
}

}  // namespace targeting::internal
