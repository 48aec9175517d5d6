#include "check/yaml_walk.h"

#include <algorithm>
#include <charconv>

#include "load/normalize.h"

namespace targeting::internal {

namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (LowerAscii(a[i - 1]) == LowerAscii(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  std::size_t best = 3;
  std::string pick;
  for (const std::string& c : candidates) {
    std::size_t d = EditDistance(word, c);
    if (d < best) {
      best = d;
      pick = c;
    }
  }
  if (pick.empty() || best >= word.size()) return "";
  return " (did you mean '" + pick + "'?)";
}

const char* NodeKindName(const ytree::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "empty";
  if (n.IsScalar()) return "a scalar";
  if (n.IsSequence()) return "a sequence";
  if (n.IsMap()) return "a mapping";
  return "undefined";
}

void Diagnostics::ErrorAt(int line, int column, std::string message) {
  Issue issue{Severity::kError, file_, line, column, entry_, std::move(message)};
  sink_->push_back(std::move(issue));
  ++errors_;
}

void Diagnostics::WarnAt(int line, int column, std::string message) {
  Issue issue{Severity::kWarning, file_, line, column, entry_, std::move(message)};
  sink_->push_back(std::move(issue));
}

void Diagnostics::Add(Severity severity, const ytree::Node& at, std::string message) {
  int line = at.IsDefined() ? LineOf(at) : 0;
  int column = at.IsDefined() ? ColumnOf(at) : 0;
  if (severity == Severity::kError) {
    ErrorAt(line, column, std::move(message));
  } else {
    WarnAt(line, column, std::move(message));
  }
}

bool Diagnostics::Visit(const ytree::Node& at) {
  if (exhausted_) return false;
  if (++visited_ > node_budget_) {
    exhausted_ = true;
    Error(at, "this file expands to more than max_yaml_nodes=" + std::to_string(node_budget_) +
                  " YAML nodes (anchors and aliases multiply); the rest of the file is skipped");
    return false;
  }
  return true;
}

std::optional<std::string> Diagnostics::Scalar(const ytree::Node& n, std::string_view what) {
  if (!n.IsScalar()) {
    Error(n, std::string(what) + " must be a scalar, not " + NodeKindName(n));
    return std::nullopt;
  }
  return std::string(n.Scalar());
}

std::optional<bool> Diagnostics::Bool(const ytree::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "True" || *s == "TRUE") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE") return false;
  Error(n, std::string(what) + " must be true or false, not '" + *s + "'");
  return std::nullopt;
}

std::optional<long long> Diagnostics::Integer(const ytree::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  std::string_view t = TrimSpaces(*s);
  if (!t.empty() && t.front() == '+') t.remove_prefix(1);
  long long v = 0;
  auto res = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || res.ec != std::errc() || res.ptr != t.data() + t.size()) {
    Error(n, std::string(what) + " must be a whole number, not '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<double> Diagnostics::Number(const ytree::Node& n, std::string_view what) {
  auto s = Scalar(n, what);
  if (!s) return std::nullopt;
  auto v = ParseNumber(TrimSpaces(*s));
  if (!v) {
    Error(n, std::string(what) + " must be a number, not '" + *s + "'");
    return std::nullopt;
  }
  return v;
}

std::optional<std::vector<MapItem>> Diagnostics::Map(const ytree::Node& n, std::string_view what,
                                                     const std::vector<std::string>& allowed,
                                                     std::string_view key_noun) {
  if (!n.IsMap()) {
    Error(n, std::string(what) + " must be a mapping, not " + NodeKindName(n));
    return std::nullopt;
  }
  std::vector<MapItem> items;
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!Visit(it->first)) return std::nullopt;
    const ytree::Node key = it->first;  // a copy: it-> returns a temporary proxy
    if (!key.IsScalar()) {
      Error(key, std::string("a key in ") + std::string(what) + " must be a scalar, not " +
                     NodeKindName(key));
      continue;
    }
    std::string k(key.Scalar());
    bool dup = false;
    for (const MapItem& prev : items) {
      if (prev.key == k) {
        Error(key, "duplicate key '" + k + "' in " + std::string(what) + " (first at line " +
                       std::to_string(LineOf(prev.key_node)) + ")");
        dup = true;
        break;
      }
    }
    if (dup) continue;
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      Error(key, "unknown " + std::string(key_noun) + " '" + k + "' in " + std::string(what) +
                     Suggest(k, allowed));
      continue;
    }
    items.push_back(MapItem{k, key, it->second});
  }
  return items;
}

std::optional<std::vector<ytree::Node>> Diagnostics::Seq(const ytree::Node& n,
                                                        std::string_view what) {
  if (!n.IsSequence()) {
    Error(n, std::string(what) + " must be a sequence, not " + NodeKindName(n));
    return std::nullopt;
  }
  std::vector<ytree::Node> out;
  out.reserve(n.size());
  for (auto it = n.begin(); it != n.end(); ++it) {
    if (!Visit(*it)) return std::nullopt;
    out.push_back(*it);
  }
  return out;
}

}  // namespace targeting::internal
