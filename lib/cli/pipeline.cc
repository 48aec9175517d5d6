#include "cli/pipeline.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace targeting::cli {

ScorePipeline::ScorePipeline(std::shared_ptr<const RuleSet> rules, ScoreOptions score_options,
                             Options options, Format format, Deliver deliver, Write write)
    : rules_(std::move(rules)),
      score_options_(score_options),
      options_(options),
      format_(std::move(format)),
      deliver_(std::move(deliver)),
      write_(std::move(write)) {
  if (options_.threads < 1) options_.threads = 1;
  if (options_.batch_size < 1) options_.batch_size = 1;
  if (rules_->aggregate_count() > 0) stream_ = std::make_unique<Scorer>(rules_, score_options_);
}

ScorePipeline::~ScorePipeline() = default;

// The stream stage for a batch's records, in input order, before the batch is
// scored anywhere. The indexed stream takes the batch at once
// (Scorer::MeasureBatch looks ahead while it advances: the same measures as
// one call per record, fewer stalls on a large history).
void ScorePipeline::MeasureFilled(Batch* batch) {
  if (!stream_ || batch->size == 0) return;
  if (options_.reference) {
    for (std::size_t i = 0; i < batch->size; ++i) {
      stream_->MeasureReference(batch->records[i], &batch->results[i]);
    }
  } else {
    stream_->MeasureBatch(batch->records.data(), batch->results.data(), batch->size);
  }
}

void ScorePipeline::ScoreBatch(Scorer& scorer, Batch* batch) {
  for (std::size_t i = 0; i < batch->size; ++i) {
    const Record& r = batch->records[i];
    ScoreResult& res = batch->results[i];
    if (stream_) {
      if (options_.reference) {
        scorer.ScoreReferenceMeasured(r, &res);
      } else {
        scorer.ScoreMeasured(r, &res);
      }
    } else if (options_.reference) {
      scorer.ScoreReference(r, &res);
    } else {
      scorer.Score(r, &res);
    }
    if (format_) format_(r, res, &batch->text);
  }
}

void ScorePipeline::Emit(Batch* batch) {
  if (deliver_) {
    for (std::size_t i = 0; i < batch->size; ++i) deliver_(batch->records[i], batch->results[i]);
  }
  if (write_ && !batch->text.empty()) write_(batch->text);
}

bool ScorePipeline::FillBatch(const Source& source, Batch* batch) {
  batch->size = 0;
  batch->text.clear();
  while (batch->size < options_.batch_size) {
    if (batch->records.size() <= batch->size) {
      batch->records.emplace_back(rules_->schema());
      batch->results.emplace_back();
    }
    Record& record = batch->records[batch->size];
    if (!source(&record)) return false;
    ++batch->size;
  }
  return true;
}

// What Run's threads share, under `mu`.
struct ScorePipeline::RunState {
  std::mutex mu;
  std::condition_variable cv;
  bool reading = false;      // a thread is reading a batch
  bool source_done = false;  // the source has ended
  bool emitting = false;     // a thread is delivering a batch
  std::size_t in_flight = 0;  // batches read and not yet delivered
  std::size_t max_in_flight = 0;
  std::uint64_t next_seq = 0;
  std::uint64_t next_emit = 0;
  std::uint64_t next_measure = 0;  // the batch the stream takes next
  std::map<std::uint64_t, std::unique_ptr<Batch>> scored;
  std::vector<std::unique_ptr<Batch>> free;
};

void ScorePipeline::Run(const Source& source) {
  if (options_.threads == 1) {
    // No hand-offs: read a batch, score it, write it.
    Scorer scorer(rules_, score_options_);
    Batch batch;
    for (bool more = true; more;) {
      more = FillBatch(source, &batch);
      if (batch.size == 0) break;
      MeasureFilled(&batch);
      ScoreBatch(scorer, &batch);
      Emit(&batch);
    }
    return;
  }
  RunState state;
  state.max_in_flight = static_cast<std::size_t>(options_.threads) * 4;
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<std::size_t>(options_.threads - 1));
  for (int i = 1; i < options_.threads; ++i) {
    helpers.emplace_back([this, &state, &source] { RunLoop(state, source); });
  }
  RunLoop(state, source);
  for (std::thread& t : helpers) t.join();
}

void ScorePipeline::RunLoop(RunState& st, const Source& source) {
  Scorer scorer(rules_, score_options_);
  // The batch this thread read and has not scored yet. A batch stays with the
  // thread that read it until it is scored: its records are in that core's
  // cache, and handing them to another thread to score cost more CPU than
  // the overlap gained.
  std::unique_ptr<Batch> mine;
  std::unique_lock<std::mutex> lock(st.mu);
  for (;;) {
    // Deliver first: it frees a batch and keeps the output moving.
    if (!st.emitting) {
      auto it = st.scored.find(st.next_emit);
      if (it != st.scored.end()) {
        std::unique_ptr<Batch> batch = std::move(it->second);
        st.scored.erase(it);
        st.emitting = true;
        lock.unlock();
        Emit(batch.get());
        lock.lock();
        st.emitting = false;
        ++st.next_emit;
        --st.in_flight;
        st.free.push_back(std::move(batch));
        st.cv.notify_all();
        continue;
      }
    }
    // Measure, then score, the batch read. The stream is a serial stage
    // apart from reading: batches go through it in the order they were read
    // (each waits for the one before it), one at a time, so every record's
    // measures are those of one stream in input order, whatever the
    // threads; meanwhile another thread reads the next batch.
    if (mine && (!stream_ || st.next_measure == mine->seq)) {
      lock.unlock();
      if (stream_) {
        MeasureFilled(mine.get());
        lock.lock();
        ++st.next_measure;
        st.cv.notify_all();
        lock.unlock();
      }
      ScoreBatch(scorer, mine.get());
      lock.lock();
      const std::uint64_t seq = mine->seq;
      st.scored.emplace(seq, std::move(mine));
      st.cv.notify_all();
      continue;
    }
    if (!mine && !st.reading && !st.source_done && st.in_flight < st.max_in_flight) {
      if (!st.free.empty()) {
        mine = std::move(st.free.back());
        st.free.pop_back();
      } else {
        mine = std::make_unique<Batch>();
      }
      st.reading = true;
      lock.unlock();
      const bool more = FillBatch(source, mine.get());
      lock.lock();
      st.reading = false;
      if (!more) st.source_done = true;
      if (mine->size > 0) {
        mine->seq = st.next_seq++;
        ++st.in_flight;
      } else {
        st.free.push_back(std::move(mine));
      }
      st.cv.notify_all();
      continue;
    }
    if (!mine && st.source_done && !st.reading && st.in_flight == 0) return;
    st.cv.wait(lock);
  }
}

}  // namespace targeting::cli
