#include "cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <utility>

#include "targeting/json.h"

namespace targeting::cli {

OptionSpec AsOfOption() {
  return {"as-of", true, "DATE",
          "date that stands in for a record's missing date in effective windows (default: today, UTC)"};
}
OptionSpec InputFormatOption() {
  return {"input-format", true, "FMT", "csv or jsonl; needed for '-' (standard input), else taken from the extension"};
}
OptionSpec RejectsOption() {
  return {"rejects", true, "FILE", "write records that cannot be read, with line and reason, as JSON lines"};
}

std::vector<OptionSpec> LimitOptions() {
  return {
      {"max-entries", true, "N", "limit: entries in a rule set (default 1000000)"},
      {"max-list-size", true, "N", "limit: values in a list or operand (default 100000)"},
      {"max-condition-depth", true, "N", "limit: nesting of a condition (default 64, at most 1000)"},
      {"max-condition-nodes", true, "N", "limit: nodes in one entry's condition (default 10000)"},
      {"regex-max-mem", true, "BYTES", "limit: RE2 memory for one pattern (default 8388608)"},
      {"regex-max-program-size", true, "N", "limit: RE2 program size of one pattern (default 10000)"},
      {"regex-set-max-mem", true, "BYTES", "limit: RE2::Set memory for one set (default 67108864)"},
      {"max-file-bytes", true, "BYTES", "limit: one rule, list or schema file (default 67108864)"},
      {"max-yaml-nodes", true, "N", "limit: YAML nodes visited in one file, aliases expanded (default 5000000)"},
      {"max-tests-per-entry", true, "N", "limit: inline test records of one entry (default 1000)"},
  };
}

std::vector<OptionSpec> ReaderLimitOptions() {
  return {
      {"max-field-bytes", true, "BYTES", "limit: one CSV field or JSON value (default 1048576)"},
      {"max-record-bytes", true, "BYTES", "limit: one CSV record or JSON line (default 8388608)"},
      {"max-skip-bytes", true, "BYTES",
       "limit: how far past --max-record-bytes an over-long record is scanned for its end "
       "before the input is given up (default 1073741824)"},
  };
}

OptionSpec StateOption() {
  return {"state", true, "FILE",
          "carry aggregate history across runs: read FILE first (if it exists), replace it after"};
}

bool LoadState(const std::string& command, const Args& args,
               const std::vector<StreamState*>& streams) {
  if (!args.has("state")) return true;
  const std::string path = args.get("state");
  std::vector<std::string> notes;
  for (StreamState* s : streams) {
    if (!s) continue;
    std::vector<std::string> missing;
    Status st = s->LoadFile(path, &missing);
    if (st.code() == StatusCode::kNotFound) {
      std::fprintf(stderr, "targeting %s: state %s does not exist yet; the stream starts empty\n",
                   command.c_str(), path.c_str());
      return true;
    }
    if (!st.ok()) {
      Fail(command, "cannot use --state: " + st.message());
      return false;
    }
    for (const std::string& m : missing) {
      if (std::find(notes.begin(), notes.end(), m) == notes.end()) notes.push_back(m);
    }
  }
  for (const std::string& m : notes) {
    std::fprintf(stderr, "targeting %s: state %s does not hold aggregate %s; it starts empty\n",
                 command.c_str(), path.c_str(), m.c_str());
  }
  return true;
}

bool SaveState(const std::string& command, const Args& args,
               const std::vector<const StreamState*>& streams) {
  if (!args.has("state")) return true;
  std::vector<const StreamState*> present;
  for (const StreamState* s : streams) {
    if (s) present.push_back(s);
  }
  if (present.empty()) return true;  // no aggregates: the file is left as it is
  Status st = SaveStreamsFile(args.get("state"), present);
  if (!st.ok()) {
    Fail(command, "cannot write --state: " + st.message());
    return false;
  }
  return true;
}

std::vector<OptionSpec> RecordCommandOptions(std::vector<OptionSpec> own) {
  own.push_back(AsOfOption());
  own.push_back(InputFormatOption());
  own.push_back(RejectsOption());
  own.push_back(StateOption());
  for (OptionSpec& l : LimitOptions()) own.push_back(std::move(l));
  for (OptionSpec& l : ReaderLimitOptions()) own.push_back(std::move(l));
  return own;
}

void Fail(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "targeting %s: %s\n", command.c_str(), message.c_str());
}

std::optional<Days> AsOf(const std::string& command, const Args& args) {
  if (!args.has("as-of")) return TodayUtc();
  std::string v = args.get("as-of");
  auto d = ParseDate(v);
  if (!d) {
    Fail(command, "--as-of '" + v + "' is not a date (YYYY-MM-DD)");
    return std::nullopt;
  }
  return d;
}

std::optional<CompileOptions> CompileOptionsFrom(const std::string& command, const Args& args) {
  CompileOptions options;
  Limits& l = options.limits;
  struct Knob {
    const char* name;
    long long max;
    std::function<void(long long)> set;
  };
  const Knob knobs[] = {
      {"max-entries", 1LL << 40, [&](long long v) { l.max_entries = static_cast<std::size_t>(v); }},
      {"max-list-size", 1LL << 40, [&](long long v) { l.max_list_size = static_cast<std::size_t>(v); }},
      {"max-condition-depth", kMaxConditionDepthCeiling,
       [&](long long v) { l.max_condition_depth = static_cast<int>(v); }},
      {"max-condition-nodes", 1LL << 40,
       [&](long long v) { l.max_condition_nodes = static_cast<std::size_t>(v); }},
      {"regex-max-mem", 1LL << 40, [&](long long v) { l.regex_max_mem = v; }},
      {"regex-max-program-size", INT_MAX,
       [&](long long v) { l.max_regex_program_size = static_cast<int>(v); }},
      {"regex-set-max-mem", 1LL << 40, [&](long long v) { l.regex_set_max_mem = v; }},
      {"max-file-bytes", 1LL << 40, [&](long long v) { l.max_file_bytes = static_cast<std::size_t>(v); }},
      {"max-yaml-nodes", 1LL << 40, [&](long long v) { l.max_yaml_nodes = static_cast<std::size_t>(v); }},
      {"max-tests-per-entry", 1LL << 40,
       [&](long long v) { l.max_tests_per_entry = static_cast<std::size_t>(v); }},
  };
  for (const Knob& k : knobs) {
    if (!args.has(k.name)) continue;
    auto v = ParseCount(args.get(k.name));
    if (!v || *v < 1 || *v > k.max) {
      Fail(command, std::string("--") + k.name + " needs a whole number from 1 to " +
                        std::to_string(k.max));
      return std::nullopt;
    }
    k.set(*v);
  }
  return options;
}

std::optional<ReaderOptions> ReaderOptionsFrom(const std::string& command, const Args& args) {
  ReaderOptions options;
  struct Knob {
    const char* name;
    long long min;
    std::size_t* value;
  };
  const Knob knobs[] = {
      {"max-field-bytes", 1, &options.max_field_bytes},
      {"max-record-bytes", 1, &options.max_record_bytes},
      {"max-skip-bytes", 0, &options.max_skip_bytes},
  };
  for (const Knob& k : knobs) {
    if (!args.has(k.name)) continue;
    auto v = ParseCount(args.get(k.name));
    if (!v || *v < k.min || *v > (1LL << 40)) {
      Fail(command, std::string("--") + k.name + " needs a whole number from " +
                        std::to_string(k.min) + " to " + std::to_string(1LL << 40));
      return std::nullopt;
    }
    *k.value = static_cast<std::size_t>(*v);
  }
  return options;
}

void PrintFingerprint(const std::string& command, const std::string& path, const RuleSet& rules) {
  std::fprintf(stderr, "targeting %s: rule set %s fingerprint %s\n", command.c_str(), path.c_str(),
               rules.fingerprint().c_str());
}

std::shared_ptr<const RuleSet> LoadRules(const std::string& command, const std::string& path,
                                         const Args& args) {
  auto options = CompileOptionsFrom(command, args);
  if (!options) return nullptr;
  CompileResult result = CompilePath(path, *options);
  if (!result.status.ok()) {
    Fail(command, "cannot read rules: " + result.status.message());
    return nullptr;
  }
  for (const Issue& issue : result.issues) {
    if (issue.severity == Severity::kError) std::fprintf(stderr, "%s\n", issue.ToString().c_str());
  }
  if (!result.ok()) {
    Fail(command, "the rule set " + path + " does not compile (" +
                      std::to_string(result.error_count()) + " errors; see targeting check " +
                      path + ")");
    return nullptr;
  }
  return result.rule_set;
}

std::unique_ptr<Output> Output::Open(const std::string& path, std::string* error) {
  std::unique_ptr<Output> out(new Output());
  if (path.empty() || path == "-") {
    out->file_ = stdout;
    out->name_ = "standard output";
    return out;
  }
  out->file_ = std::fopen(path.c_str(), "wb");
  if (!out->file_) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  out->owned_ = true;
  out->name_ = path;
  return out;
}

Output::~Output() {
  std::string ignored;
  Close(&ignored);
}

void Output::Write(std::string_view s) {
  buffer_.append(s);
  if (buffer_.size() >= (1 << 20)) {
    if (!failed_ && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
      failed_ = true;
    }
    buffer_.clear();
  }
}

bool Output::Close(std::string* error) {
  if (!file_) return !failed_;
  if (!buffer_.empty() && !failed_ &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    failed_ = true;
  }
  buffer_.clear();
  if (std::fflush(file_) != 0) failed_ = true;
  if (owned_ && std::fclose(file_) != 0) failed_ = true;
  file_ = nullptr;
  if (failed_) *error = "cannot write " + name_ + ": " + std::strerror(errno);
  return !failed_;
}

Progress::Progress(std::string what)
    : enabled_(isatty(STDERR_FILENO) != 0), what_(std::move(what)), last_(std::chrono::steady_clock::now()) {}

void Progress::Tick(std::uint64_t done) {
  if (!enabled_ || (done & 1023) != 0) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  std::fprintf(stderr, "\r%s: %llu records", what_.c_str(), static_cast<unsigned long long>(done));
  shown_ = true;
}

void Progress::Done() {
  if (shown_) std::fputs("\r\033[K", stderr);
  shown_ = false;
}

InputSet::InputSet(std::string command, const Schema& schema, const Args& args,
                   std::vector<std::string> paths)
    : command_(std::move(command)), schema_(schema), args_(args), paths_(std::move(paths)) {}

bool InputSet::Begin() {
  auto options = ReaderOptionsFrom(command_, args_);
  if (!options) return false;
  reader_options_ = *options;
  if (!args_.has("rejects")) return true;
  std::string error;
  rejects_ = Output::Open(args_.get("rejects"), &error);
  if (!rejects_) {
    Fail(command_, error);
    return false;
  }
  return true;
}

std::unique_ptr<RecordReader> InputSet::OpenInput(const std::string& path) {
  std::optional<InputFormat> format;
  if (args_.has("input-format")) {
    format = InputFormatFromName(args_.get("input-format"));
    if (!format) {
      Fail(command_, "--input-format must be csv or jsonl, not '" + args_.get("input-format") + "'");
      return nullptr;
    }
  } else if (path == "-") {
    Fail(command_, "reading standard input needs --input-format csv or jsonl");
    return nullptr;
  } else {
    format = InputFormatFromPath(path);
    if (!format) {
      Fail(command_, "cannot tell the format of " + path +
                         ": name it .csv, .jsonl or .ndjson, or pass --input-format");
      return nullptr;
    }
  }
  auto reader = RecordReader::Open(path, *format, schema_, reader_options_);
  if (!reader.ok()) {
    Fail(command_, reader.status().message());
    return nullptr;
  }
  return std::move(reader).value();
}

void InputSet::WriteReject(const Reject& r) {
  if (rejects_) {
    std::string line = "{\"source\":";
    AppendJsonString(r.source, &line);
    line += ",\"line\":" + std::to_string(r.line) + ",\"record_id\":";
    if (r.record_id.empty()) line += "null";
    else AppendJsonString(r.record_id, &line);
    line += ",\"reason\":";
    AppendJsonString(r.reason, &line);
    line += "}\n";
    rejects_->Write(line);
    return;
  }
  // Without --rejects, the first few go to stderr so nothing is silent.
  if (first_rejects_shown_ < 10) {
    std::fprintf(stderr, "%s:%llu: rejected: %s\n", r.source.c_str(),
                 static_cast<unsigned long long>(r.line), r.reason.c_str());
  } else if (first_rejects_shown_ == 10) {
    std::fprintf(stderr, "(more rejects not shown; pass --rejects FILE to keep them all)\n");
  }
  ++first_rejects_shown_;
}

bool InputSet::ForEach(const std::function<void(const Record&)>& on_record, RunCounts* counts) {
  return ReadAll(on_record, counts);
}

bool InputSet::Reread(const std::function<void(const Record&)>& on_record) {
  auto options = ReaderOptionsFrom(command_, args_);
  if (!options) return false;
  reader_options_ = *options;
  return ReadAll(on_record, nullptr);
}

bool InputSet::ReadAll(const std::function<void(const Record&)>& on_record, RunCounts* counts) {
  Record record(schema_);
  Cursor cursor(this, counts);
  while (cursor.Next(&record)) on_record(record);
  return cursor.ok();
}

InputSet::Cursor::Cursor(InputSet* in, RunCounts* counts) : in_(in), counts_(counts) {
  if (counts_) progress_.emplace("reading");
}

bool InputSet::Cursor::Next(Record* record) {
  while (!done_) {
    if (!reader_) {
      if (next_path_ == in_->paths_.size()) return Stop(true);
      reader_ = in_->OpenInput(in_->paths_[next_path_++]);
      if (!reader_) return Stop(false);
    }
    const RecordReader::Next next = reader_->Read(record, &reject_);
    if (next == RecordReader::Next::kEnd) {
      if (!reader_->status().ok()) {
        if (progress_) progress_->Done();
        Fail(in_->command_, reader_->status().message());
        return Stop(false);
      }
      reader_.reset();
      continue;
    }
    if (counts_) ++counts_->read;
    if (next == RecordReader::Next::kReject) {
      if (counts_) {
        ++counts_->rejected;
        in_->WriteReject(reject_);
      }
      continue;
    }
    if (counts_) {
      ++counts_->scored;
      progress_->Tick(counts_->read);
    }
    return true;
  }
  return false;
}

bool InputSet::Cursor::Stop(bool ok) {
  if (ok && progress_) progress_->Done();
  ok_ = ok;
  done_ = true;
  reader_.reset();
  return false;
}

bool InputSet::End() {
  if (!rejects_) return true;
  std::string error;
  if (!rejects_->Close(&error)) {
    Fail(command_, error);
    return false;
  }
  return true;
}

void PrintSummary(const std::string& command, const RunCounts& c, const Args& args) {
  std::string where;
  if (c.rejected > 0) {
    where = args.has("rejects") ? " (rejects in " + args.get("rejects") + ")" : "";
  }
  std::fprintf(stderr, "targeting %s: read %llu = scored %llu + rejected %llu%s\n", command.c_str(),
               static_cast<unsigned long long>(c.read), static_cast<unsigned long long>(c.scored),
               static_cast<unsigned long long>(c.rejected), where.c_str());
}

bool OpenOptionalOutput(const std::string& command, const Args& args, const char* option,
                        std::unique_ptr<Output>* out) {
  if (!args.has(option)) return true;
  std::string error;
  *out = Output::Open(args.get(option), &error);
  if (!*out) {
    Fail(command, error);
    return false;
  }
  return true;
}

bool WriteAndClose(const std::string& command, Output* out, std::string_view text) {
  if (!out) return true;
  out->Write(text);
  std::string error;
  if (!out->Close(&error)) {
    Fail(command, error);
    return false;
  }
  return true;
}

}  // namespace targeting::cli
