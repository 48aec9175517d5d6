#include "cli/pipeline.h"

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
  if (options_.threads == 1) {
    inline_scorer_ = std::make_unique<Scorer>(rules_, score_options_);
  } else {
    for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { Worker(); });
  }
}

ScorePipeline::~ScorePipeline() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

std::unique_ptr<ScorePipeline::Batch> ScorePipeline::NewBatch() {
  std::unique_ptr<Batch> b;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      b = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!b) b = std::make_unique<Batch>();
  b->size = 0;
  b->text.clear();
  return b;
}

void ScorePipeline::Add(const Record& record) {
  if (!filling_) filling_ = NewBatch();
  Batch& b = *filling_;
  if (b.records.size() <= b.size) {
    b.records.push_back(record);
    b.results.emplace_back();
  } else {
    b.records[b.size] = record;  // copy-assignment reuses capacity
  }
  if (stream_) {
    if (options_.reference) {
      stream_->MeasureReference(b.records[b.size], &b.results[b.size]);
    } else {
      stream_->Measure(b.records[b.size], &b.results[b.size]);
    }
  }
  ++b.size;
  if (b.size >= options_.batch_size) Submit();
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

void ScorePipeline::Submit() {
  if (!filling_ || filling_->size == 0) return;
  std::unique_ptr<Batch> batch = std::move(filling_);
  batch->seq = next_seq_++;
  if (inline_scorer_) {
    ScoreBatch(*inline_scorer_, batch.get());
    Emit(batch.get());
    ++next_emit_;
    filling_ = std::move(batch);
    filling_->size = 0;
    filling_->text.clear();
    return;
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    // Bound the memory in flight: wait while too many batches are out.
    done_cv_.wait(lock, [&] {
      return in_flight_ < static_cast<std::size_t>(options_.threads) * 4 ||
             done_.count(next_emit_) > 0;
    });
    work_.push_back(std::move(batch));
    ++in_flight_;
  }
  work_cv_.notify_one();
  DeliverReady(false);
}

void ScorePipeline::DeliverReady(bool wait_all) {
  for (;;) {
    std::unique_ptr<Batch> ready;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (wait_all) {
        done_cv_.wait(lock, [&] { return done_.count(next_emit_) > 0 || in_flight_ == 0; });
      }
      auto it = done_.find(next_emit_);
      if (it == done_.end()) return;
      ready = std::move(it->second);
      done_.erase(it);
    }
    Emit(ready.get());
    ++next_emit_;
    std::lock_guard<std::mutex> lock(mu_);
    --in_flight_;
    free_.push_back(std::move(ready));
    done_cv_.notify_all();
  }
}

void ScorePipeline::Worker() {
  Scorer scorer(rules_, score_options_);
  for (;;) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !work_.empty(); });
      if (work_.empty()) return;
      batch = std::move(work_.front());
      work_.pop_front();
    }
    ScoreBatch(scorer, batch.get());
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::uint64_t seq = batch->seq;
      done_.emplace(seq, std::move(batch));
    }
    done_cv_.notify_all();
  }
}

void ScorePipeline::Finish() {
  Submit();
  if (inline_scorer_) return;
  while (next_emit_ < next_seq_) DeliverReady(true);
}

}  // namespace targeting::cli
