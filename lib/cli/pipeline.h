// Scores a stream of records on N threads and hands results back in input
// order. Records are read straight into reusable batches, so a long run does
// not allocate per record once warm.
#ifndef TARGETING_LIB_CLI_PIPELINE_H_
#define TARGETING_LIB_CLI_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "targeting/score.h"

namespace targeting::cli {

class ScorePipeline {
 public:
  // Runs on a worker: may append text for the record to *out (kept in order).
  using Format = std::function<void(const Record&, const ScoreResult&, std::string* out)>;
  // Runs on one thread at a time, in input order, with the text Format made.
  using Deliver = std::function<void(const Record&, const ScoreResult&)>;
  using Write = std::function<void(std::string_view text)>;
  // Reads the next record into *record; false when there are no more.
  using Source = std::function<bool(Record* record)>;

  struct Options {
    int threads = 1;
    bool reference = false;  // score with the reference evaluator
    std::size_t batch_size = 512;
  };

  ScorePipeline(std::shared_ptr<const RuleSet> rules, ScoreOptions score_options, Options options,
                Format format, Deliver deliver, Write write);
  ~ScorePipeline();

  // The scorer whose stream gives every record its aggregate measures, in
  // input order (SPEC section 8); null when the rule set has no aggregates.
  // Load or save its stream before and after Run.
  Scorer* stream_scorer() { return stream_.get(); }

  // Reads every record from `source` straight into the batches and scores
  // them on options.threads threads, the calling thread one of them, in a
  // pipeline: one thread at a time reads a batch, and the thread that read
  // it then advances the aggregate stream over it (batches take their turn
  // at the stream in input order, so reading the next batch and measuring
  // this one overlap) and scores and formats it; the batch next in input
  // order is delivered and written by the thread that finds it done.
  // `source` is only ever called by one thread at a time, in input order, so
  // it may count records and write rejects. Returns when everything read has been delivered.
  void Run(const Source& source);

 private:
  struct Batch {
    std::uint64_t seq = 0;
    std::vector<Record> records;
    std::vector<ScoreResult> results;
    std::size_t size = 0;
    std::string text;
  };
  void ScoreBatch(Scorer& scorer, Batch* batch);
  // Reads up to batch_size records from `source` into *batch; false when the
  // source ended before the batch was full.
  bool FillBatch(const Source& source, Batch* batch);
  // The stream stage: every record of a read batch gets its aggregate
  // measures (nothing without a stream). Batches go through it one at a
  // time, in input order.
  void MeasureFilled(Batch* batch);
  struct RunState;
  void RunLoop(RunState& state, const Source& source);
  void Emit(Batch* batch);

  std::shared_ptr<const RuleSet> rules_;
  ScoreOptions score_options_;
  Options options_;
  Format format_;
  Deliver deliver_;
  Write write_;

  // With aggregates: the one stream, advanced as batches are read. Any
  // thread then scores each record with the measures it gave, so output is
  // the same for any number of threads.
  std::unique_ptr<Scorer> stream_;
};

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_PIPELINE_H_
