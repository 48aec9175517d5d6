// Scores a stream of records on N threads and hands results back in input
// order. Records go into reusable batches, so a long run does not allocate
// per record once warm: copied there by Add, or read there directly by Run.
#ifndef TARGETING_LIB_CLI_PIPELINE_H_
#define TARGETING_LIB_CLI_PIPELINE_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "targeting/score.h"

namespace targeting::cli {

class ScorePipeline {
 public:
  // Runs on a worker: may append text for the record to *out (kept in order).
  using Format = std::function<void(const Record&, const ScoreResult&, std::string* out)>;
  // Runs on the calling thread, in input order, with the text Format made.
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

  void Add(const Record& record);
  // The scorer whose stream gives every record its aggregate measures, in
  // input order on the calling thread (SPEC section 8); null when the rule
  // set has no aggregates. Load or save its stream before the first Add and
  // after Finish.
  Scorer* stream_scorer() { return stream_.get(); }
  // Waits for everything added and delivers it.
  void Finish();

  // Instead of Add and Finish: reads every record from `source` straight
  // into the batches and scores them on options.threads threads, the calling
  // thread one of them, in a pipeline: one thread at a time reads a batch
  // (and advances the aggregate stream over it, in input order), any thread
  // scores and formats a batch that has been read, and the batch next in
  // input order is delivered and written by the thread that finds it done.
  // `source` is only ever called by one thread at a time, in input order, so
  // it may count records and write rejects. Returns when everything read has
  // been delivered.
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
  // Reads up to batch_size records from `source` into *batch (measured when
  // there is a stream); false when the source ended before the batch was full.
  bool FillBatch(const Source& source, Batch* batch);
  void MeasureFilled(Batch* batch);
  struct RunState;
  void RunLoop(RunState& state, const Source& source);
  void Worker();
  void StartWorkers();
  void Submit();
  void DeliverReady(bool wait_all);
  void Emit(Batch* batch);
  std::unique_ptr<Batch> NewBatch();

  std::shared_ptr<const RuleSet> rules_;
  ScoreOptions score_options_;
  Options options_;
  Format format_;
  Deliver deliver_;
  Write write_;

  std::unique_ptr<Scorer> inline_scorer_;  // threads == 1
  // With aggregates: the one stream, advanced in Add. Workers then score
  // each record with the measures it gave, so output is the same for any
  // number of threads.
  std::unique_ptr<Scorer> stream_;
  std::unique_ptr<Batch> filling_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_emit_ = 0;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<std::unique_ptr<Batch>> work_;
  std::map<std::uint64_t, std::unique_ptr<Batch>> done_;
  std::vector<std::unique_ptr<Batch>> free_;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace targeting::cli

#endif  // TARGETING_LIB_CLI_PIPELINE_H_
