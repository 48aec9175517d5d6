// Pieces shared by the commands: loading rules, reading inputs with rejects,
// writing output, progress, and the run summary.
#ifndef TARGETING_LIB_CLI_COMMON_H_
#define TARGETING_LIB_CLI_COMMON_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "targeting/io.h"
#include "targeting/rules.h"
#include "targeting/score.h"
#include "targeting/stream.h"

namespace targeting::cli {

// Options most commands share.
OptionSpec AsOfOption();
OptionSpec InputFormatOption();
OptionSpec RejectsOption();
// --state FILE (SPEC section 8): the stream's history across runs.
OptionSpec StateOption();
std::vector<OptionSpec> LimitOptions();
// --max-field-bytes, --max-record-bytes, --max-skip-bytes: for commands that read records.
std::vector<OptionSpec> ReaderLimitOptions();
// The options of a command that compiles rules and reads records: `own`,
// then --as-of, --input-format, --rejects, --state, and the rule and reader limits.
std::vector<OptionSpec> RecordCommandOptions(std::vector<OptionSpec> own);

// Prints "targeting CMD: message" on stderr.
void Fail(const std::string& command, const std::string& message);

// --as-of DATE, default today (UTC). nullopt after printing an error.
std::optional<Days> AsOf(const std::string& command, const Args& args);

// Limits from the command line (--max-* options), over the defaults.
std::optional<CompileOptions> CompileOptionsFrom(const std::string& command, const Args& args);
std::optional<ReaderOptions> ReaderOptionsFrom(const std::string& command, const Args& args);

// Compiles RULES for a command that scores: prints warnings and errors on
// stderr; on failure prints a one-line reason and returns null (exit 2).
std::shared_ptr<const RuleSet> LoadRules(const std::string& command, const std::string& path,
                                         const Args& args);

// --state FILE, before the first record: loads FILE into each stream (when
// it exists; a missing FILE starts empty). False after printing a one-line
// reason naming the file (exit 2). Notes on stderr each aggregate the file
// does not hold. Without --state, or without streams (no aggregates), true.
bool LoadState(const std::string& command, const Args& args,
               const std::vector<StreamState*>& streams);
// --state FILE, after the last record: replaces FILE with the streams'
// aggregates (each definition once, the first stream's first). False after
// printing a one-line reason (exit 2).
bool SaveState(const std::string& command, const Args& args,
               const std::vector<const StreamState*>& streams);

// "targeting CMD: rule set PATH fingerprint F" on stderr.
void PrintFingerprint(const std::string& command, const std::string& path, const RuleSet& rules);

// A file or standard output, written through a buffer. Errors are sticky.
class Output {
 public:
  // "" or "-" is standard output.
  static std::unique_ptr<Output> Open(const std::string& path, std::string* error);
  ~Output();
  void Write(std::string_view s);
  // Flushes; false (with *error) when anything failed.
  bool Close(std::string* error);
  const std::string& name() const { return name_; }

 private:
  Output() = default;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  bool failed_ = false;
  std::string name_;
  std::string buffer_;
};

// Progress on stderr when it is a terminal, at most a few times a second.
class Progress {
 public:
  explicit Progress(std::string what);
  void Tick(std::uint64_t done);
  void Done();

 private:
  bool enabled_;
  std::string what_;
  std::chrono::steady_clock::time_point last_;
  bool shown_ = false;
};

// Counts of a run: read = scored + rejected.
struct RunCounts {
  std::uint64_t read = 0;
  std::uint64_t scored = 0;
  std::uint64_t rejected = 0;
};

// Reads every INPUT in order, handing each record (or reject) to callbacks.
// Rejects go to --rejects as JSON lines when given. Returns false after
// printing a one-line reason when an input cannot be opened or read (exit 2).
class InputSet {
 public:
  InputSet(std::string command, const Schema& schema, const Args& args,
           std::vector<std::string> paths);
  // Checks the reader limits and opens the rejects file; false after
  // printing an error.
  bool Begin();
  // Calls on_record for each record read, in input order. The record is only
  // valid during the call.
  bool ForEach(const std::function<void(const Record&)>& on_record, RunCounts* counts);
  // Flushes rejects; false after printing an error.
  bool End();
  // Reads the inputs again from the start (after a ForEach), calling
  // on_record for each record, rejects skipped silently (ForEach reported
  // them). False after printing an error.
  bool Reread(const std::function<void(const Record&)>& on_record);
  // The reader of one input, or null after printing an error.
  std::unique_ptr<RecordReader> OpenInput(const std::string& path);
  void WriteReject(const Reject& reject);
  const std::vector<std::string>& paths() const { return paths_; }

  // One pass over the inputs, a record at a time into the caller's Record
  // (targeting score reads straight into its batches); ForEach and Reread
  // are this in a loop. With `counts`: counted, rejects written, progress
  // shown; without: rejects skipped silently. The first input that cannot be
  // opened or read ends the pass, after printing the reason.
  class Cursor {
   public:
    Cursor(InputSet* in, RunCounts* counts);
    // The next record into *record; false at the end or after an error.
    bool Next(Record* record);
    // False when the pass ended on an error.
    bool ok() const { return ok_; }

   private:
    bool Stop(bool ok);

    InputSet* in_;
    RunCounts* counts_;
    std::optional<Progress> progress_;
    std::size_t next_path_ = 0;
    std::unique_ptr<RecordReader> reader_;
    Reject reject_;
    bool ok_ = true;
    bool done_ = false;
  };

 private:
  // One pass: with counts, counted, rejects written and progress shown.
  bool ReadAll(const std::function<void(const Record&)>& on_record, RunCounts* counts);

  std::string command_;
  const Schema& schema_;
  const Args& args_;
  std::vector<std::string> paths_;
  std::unique_ptr<Output> rejects_;
  ReaderOptions reader_options_;
  std::uint64_t first_rejects_shown_ = 0;
};

// Opens the file `option` names, when the option is given (*out stays null
// otherwise); false after printing the reason (exit 2). Commands open their
// outputs before a long run, so that a bad path fails early.
bool OpenOptionalOutput(const std::string& command, const Args& args, const char* option,
                        std::unique_ptr<Output>* out);
// Writes `text` to `out` (when non-null) and closes it; false after
// printing the reason.
bool WriteAndClose(const std::string& command, Output* out, std::string_view text);

// "read N = scored S + rejected R" on stderr (and the rejects destination).
void PrintSummary(const std::string& command, const RunCounts& counts, const Args& args);

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_COMMON_H_
