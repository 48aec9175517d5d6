// Layout: compile/ runs load, check and index behind the public Compiler (engine stage 8 of 11).
// The public Compiler (include/targeting/rules.h): gathers a rule set's
// files (load), checks them into a plan (check), and hands the plan to the
// index stage, which makes it a RuleSet ready to score.
#include <algorithm>

#include "check/compiler.h"
#include "check/conditions.h"
#include "index/match_index.h"
#include "load/sources.h"
#include "plan/ruleset_data.h"

namespace targeting {

struct Compiler::Impl {
  internal::SourceSet set;
  bool built = false;

  CompileResult Build();
};

CompileResult Compiler::Impl::Build() {
  if (built) {
    CompileResult r;
    r.status = Status(StatusCode::kInvalidArgument, "Compiler::Build() may be called only once");
    return r;
  }
  built = true;
  if (!set.status.ok()) {
    CompileResult r;
    r.status = set.status;
    return r;
  }
  const int depth = set.options.limits.max_condition_depth;
  if (depth < 1 || depth > kMaxConditionDepthCeiling) {
    CompileResult r;
    r.status = Status(StatusCode::kInvalidArgument,
                      "max_condition_depth=" + std::to_string(depth) + " is outside 1.." +
                          std::to_string(kMaxConditionDepthCeiling));
    return r;
  }
  internal::Plan plan = internal::CheckAndPlan(set);
  CompileResult result;
  result.status = plan.status;
  result.issues = std::move(plan.issues);
  if (!plan.data) return result;
  // The check stage hands its plan to the index stage, which builds the
  // matcher and marks the entries it cannot narrow.
  try {
    internal::BuildMatchIndex(plan.data.get(), set.options.limits);
  } catch (const std::bad_alloc&) {
    result.status = Status(StatusCode::kLimitExceeded, "out of memory while indexing the rule set");
    return result;
  }
  for (std::size_t i = 0; i < plan.data->entries.size(); ++i) {
    const EntryInfo& e = plan.data->entries[i];
    if (!e.always_verify || e.status == EntryStatus::kDraft) continue;
    result.issues.push_back(Issue{
        Severity::kWarning, e.file, e.line, e.column, e.id,
        internal::UsesAggregate(*plan.data, plan.data->code[i].root)
            ? "nothing in this entry's condition can be indexed (only negations, exists, "
              "effective or aggregates), so it is verified on every record"
            : "nothing in this entry's condition can be indexed (only negations, exists or "
              "effective), so it is verified on every record"});
  }
  result.rule_set = std::make_shared<const RuleSet>(std::move(plan.data));
  return result;
}

Compiler::Compiler(CompileOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->set.options = options;
}
Compiler::~Compiler() = default;

void Compiler::AddSource(std::string name, std::string text, SourceRole role) {
  impl_->set.Add(std::move(name), std::move(text), role);
}

Status Compiler::AddPath(const std::string& path) { return impl_->set.AddPath(path); }

CompileResult Compiler::Build() { return impl_->Build(); }

CompileResult CompilePath(const std::string& path, CompileOptions options) {
  Compiler c(options);
  Status s = c.AddPath(path);
  if (!s.ok()) {
    CompileResult r;
    r.status = s;
    return r;
  }
  return c.Build();
}

CompileResult CompileString(std::string_view yaml, std::string name, CompileOptions options) {
  Compiler c(options);
  c.AddSource(std::move(name), std::string(yaml), SourceRole::kSingle);
  return c.Build();
}

std::size_t CompileResult::error_count() const { return internal::ErrorCount(issues); }

std::size_t CompileResult::warning_count() const { return issues.size() - error_count(); }

}  // namespace targeting
