// Checking a rule set's files (SPEC sections 1-4): the configuration, the
// schema, lists and every entry, into the plan the index stage builds on.
#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>

#include "check/plan_builder.h"
#include "load/normalize.h"
#include "load/yaml_source.h"
#include "plan/fingerprint.h"

namespace targeting::internal::checking {

namespace {

// Issues in file order, then by position.
void SortIssues(std::vector<Issue>* issues) {
  std::stable_sort(issues->begin(), issues->end(), [](const Issue& a, const Issue& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

}  // namespace

PreParsed PreParse(const Source& source, unsigned threads) {
  PreParsed p;
  p.tree = std::make_unique<ytree::Tree>();
  p.root = internal::ParseYamlTree(source.name, source.text, &p.issues, &p.empty, p.tree.get(),
                                   threads);
  return p;
}

std::vector<PreParsed> PreParseAll(const std::vector<const Source*>& sources, unsigned threads) {
  std::vector<PreParsed> out(sources.size());
  if (sources.size() <= 1 || threads <= 1) {
    for (std::size_t i = 0; i < sources.size(); ++i) out[i] = PreParse(*sources[i], threads);
    return out;
  }
  // One file per worker at a time; each file's result lands in its own slot,
  // so the order (of files and of their issues) is the sources' order.
  std::atomic<std::size_t> next{0};
  auto work = [&]() {
    for (std::size_t i = next++; i < sources.size(); i = next++) out[i] = PreParse(*sources[i], 1);
  };
  std::vector<std::thread> workers;
  const std::size_t n = std::min<std::size_t>(threads, sources.size());
  try {
    for (std::size_t w = 1; w < n; ++w) workers.emplace_back(work);
  } catch (const std::system_error&) {
    // Fewer threads; the calling one still does the rest.
  }
  work();
  for (std::thread& w : workers) w.join();
  return out;
}

std::optional<ParsedFile> Builder::Parse(const Source& source) {
  return Parse(source, PreParse(source, threads_));
}

std::optional<ParsedFile> Builder::Parse(const Source& source, PreParsed pre) {
  bool empty = pre.empty;
  issues_.insert(issues_.end(), pre.issues.begin(), pre.issues.end());
  if (!pre.root) return std::nullopt;
  ParsedFile pf{&source, std::move(pre.tree), *pre.root, {}};
  diag_.set_file(source.name);
  diag_.set_entry("");
  diag_.ResetBudget(limits_.max_yaml_nodes);
  if (empty) {
    if (source.role == SourceRole::kConfig) return pf;  // all defaults
    diag_.ErrorAt(1, 1, "the file is empty; a rule file holds a mapping with 'rules:'");
    return std::nullopt;
  }
  std::vector<std::string> allowed;
  switch (source.role) {
    case SourceRole::kConfig:
    case SourceRole::kSingle:
      allowed = {"schema", "lanes", "sampling", "priorities", "promotion", "scorecard", "lists", "rules"};
      break;
    case SourceRole::kRules:
      allowed = {"rules", "lists"};
      break;
    case SourceRole::kData:
      return std::nullopt;
  }
  if (!pf.root.IsMap()) {
    diag_.Error(pf.root, std::string("the top level must be a mapping (with 'rules:'), not ") +
                             internal::NodeKindName(pf.root));
    return std::nullopt;
  }
  auto items = diag_.Map(pf.root, "the top level", {});
  if (!items) return std::nullopt;
  for (const MapItem& item : *items) {
    if (std::find(allowed.begin(), allowed.end(), item.key) != allowed.end()) {
      pf.items.push_back(item);
      continue;
    }
    bool config_key = item.key == "schema" || item.key == "lanes" || item.key == "sampling" ||
                      item.key == "priorities" || item.key == "promotion";
    if (config_key) {
      diag_.Error(item.key_node, "'" + item.key + "' belongs in targeting.yaml, not in a rule file");
    } else {
      diag_.Error(item.key_node,
                  "unknown key '" + item.key + "' at the top level" + internal::Suggest(item.key, allowed));
    }
  }
  if (source.role == SourceRole::kRules) {
    bool has_rules = false;
    for (const MapItem& item : pf.items) has_rules |= item.key == "rules";
    if (!has_rules) diag_.Error(pf.root, "a rule file needs 'rules:' (a sequence of entries)");
  }
  return pf;
}

Plan Builder::Run() {
  Plan result;
  const std::vector<Source>& sources = set_->sources;
  // The configuration first: it names the schema, the priorities and the
  // files that are data rather than rules.
  std::vector<ParsedFile> parsed;
  int configs = 0;
  for (const Source& s : sources) {
    if (s.role == SourceRole::kConfig || s.role == SourceRole::kSingle) ++configs;
  }
  if (configs > 1) {
    result.status = Status(StatusCode::kInvalidArgument, "more than one targeting.yaml given");
    return result;
  }
  for (const Source& s : sources) {
    if (s.role != SourceRole::kConfig && s.role != SourceRole::kSingle) continue;
    auto pf = Parse(s);
    if (!pf) continue;
    ReadConfig(*pf);
    parsed.push_back(std::move(*pf));
  }
  // Lists of the configuration first, so list files it names are not taken
  // for rule files below.
  for (const ParsedFile& pf : parsed) {
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    for (const MapItem& item : pf.items) {
      if (item.key == "lists") ReadLists(pf, item.value);
    }
  }
  const std::size_t config_files = parsed.size();
  if (!schema_) {
    bool asked_custom = false;
    for (const ParsedFile& pf : parsed) {
      for (const MapItem& item : pf.items) asked_custom |= item.key == "schema";
    }
    if (asked_custom) {
      // The schema's errors are reported; nothing else can be checked.
      SortIssues(&issues_);
      result.issues = issues_;
      return result;
    }
    schema_ = Schema::Manifest();
  }
  std::vector<const Source*> rule_files;
  for (const Source& s : sources) {
    if (s.role != SourceRole::kRules) continue;
    if (data_keys_.count(s.key)) continue;
    if (!schema_source_.empty() && s.key == schema_source_) continue;
    rule_files.push_back(&s);
  }
  // Parsed on several threads; read in order.
  std::vector<PreParsed> pre = PreParseAll(rule_files, threads_);
  for (std::size_t i = 0; i < rule_files.size(); ++i) {
    auto pf = Parse(*rule_files[i], std::move(pre[i]));
    pre[i] = PreParsed();
    if (pf) parsed.push_back(std::move(*pf));
  }
  // Lists of every rule file, then entries (which may use lists of later files).
  for (std::size_t i = config_files; i < parsed.size(); ++i) {
    const ParsedFile& pf = parsed[i];
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    for (const MapItem& item : pf.items) {
      if (item.key == "lists") ReadLists(pf, item.value);
    }
  }
  for (const ParsedFile& pf : parsed) {
    diag_.set_file(pf.source->name);
    diag_.set_entry("");
    diag_.ResetBudget(limits_.max_yaml_nodes);
    for (const MapItem& item : pf.items) {
      if (item.key == "rules") ReadRules(pf, item.value);
    }
  }
  data_ = std::make_unique<internal::RuleSetData>(std::move(*schema_));
  data_->config = config_;
  internal::ConditionCompiler cc(data_.get(), limits_, &lists_, &diag_);
  std::vector<std::pair<EntryInfo, internal::EntryCode>> compiled;
  compiled.reserve(entries_.size());
  for (; !entries_.empty(); entries_.pop_front()) {
    RawEntry& raw = entries_.front();
    if (raw.info.status == EntryStatus::kRetired) continue;
    CompileEntry(raw, cc, &compiled);
  }
  // The trees are done with: free them before the entries are sorted and
  // fingerprinted.
  std::vector<ParsedFile>().swap(parsed);
  SortIssues(&issues_);
  result.issues = issues_;
  if (internal::ErrorCount(result.issues) > 0) return result;

  std::sort(compiled.begin(), compiled.end(),
            [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
  data_->entries.reserve(compiled.size());
  data_->code.reserve(compiled.size());
  for (auto& [info, code] : compiled) {
    data_->entry_by_id.emplace(info.id, static_cast<int>(data_->entries.size()));
    if (info.status == EntryStatus::kActive || info.status == EntryStatus::kShadow) {
      data_->scored.push_back(static_cast<int>(data_->entries.size()));
    }
    data_->entries.push_back(std::move(info));
    data_->code.push_back(std::move(code));
  }
  std::vector<std::pair<EntryInfo, internal::EntryCode>>().swap(compiled);
  // Grown by doubling while compiling: up to half of each is slack.
  data_->predicates.shrink_to_fit();
  data_->nodes.shrink_to_fit();
  data_->children.shrink_to_fit();
  internal::ComputeFingerprint(data_.get());
  data_->DropPredicateKeys();
  result.data = std::move(data_);
  return result;
}

}  // namespace targeting::internal::checking

namespace targeting::internal {

std::size_t ErrorCount(const std::vector<Issue>& issues) {
  return static_cast<std::size_t>(std::count_if(
      issues.begin(), issues.end(), [](const Issue& i) { return i.severity == Severity::kError; }));
}

Plan CheckAndPlan(const SourceSet& sources) {
  // yaml-cpp reports misuse by throwing; nothing may cross the public API, so
  // any exception becomes an error issue rather than a crash.
  checking::Builder builder(&sources);
  try {
    return builder.Run();
  } catch (const std::bad_alloc&) {
    Plan p;
    p.status = Status(StatusCode::kLimitExceeded, "out of memory while compiling the rule set");
    return p;
  } catch (const std::exception& e) {
    Plan p;
    p.issues = builder.issues();
    p.issues.push_back(Issue{Severity::kError, "", 0, 0, "",
                             std::string("internal error while compiling: ") + e.what()});
    return p;
  }
}

}  // namespace targeting::internal
