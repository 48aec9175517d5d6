// StreamState: the stream stage between reading and scoring (DESIGN.md,
// "Stream state is its own stage"). One history per distinct aggregate of
// the rule set, one clock (H) for the whole stream.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "plan/aggregate.h"
#include "plan/ruleset_data.h"
#include "stream/history.h"
#include "stream/state_file.h"
#include "targeting/rules.h"
#include "targeting/stream.h"

namespace targeting {

struct StreamState::Impl {
  Days as_of = 0;
  internal::StreamClock clock;
  std::uint64_t records = 0;
  // Every aggregate's, referring to the definitions of StreamState::rules_
  // (declared before impl_, so it outlives the history; Rebind re-points or
  // replaces the history before it lets the old set go).
  std::unique_ptr<internal::StreamHistory> history;
};

namespace {

std::unique_ptr<internal::StreamHistory> NewHistory(const internal::RuleSetData& data,
                                                    StreamState::Kind kind) {
  return kind == StreamState::Kind::kReference ? internal::NewReferenceStream(data)
                                               : internal::NewIndexedStream(data);
}

// What Advance, AdvanceBatch and Peek answer for a record of another schema.
Status WrongSchema() {
  return Status(StatusCode::kInvalidArgument, "the record was not built with this rule set's schema");
}

}  // namespace

StreamState::StreamState(std::shared_ptr<const RuleSet> rules, Days as_of, Kind kind)
    : rules_(std::move(rules)), kind_(kind), impl_(std::make_unique<Impl>()) {
  impl_->as_of = as_of;
  impl_->history = NewHistory(rules_->data(), kind_);
}

StreamState::~StreamState() = default;

void StreamState::SetAsOf(Days as_of) { impl_->as_of = as_of; }

Status StreamState::Advance(const Record& record, AggregateMeasures* out) {
  out->Clear();
  if (!record.schema().SameAs(rules_->schema())) {
    return WrongSchema();
  }
  const auto& data = rules_->data();
  const Days day = internal::RecordDay(data.schema, record, impl_->as_of);
  internal::StreamClock& clock = impl_->clock;
  clock.Tick(day);
  ++impl_->records;
  const std::size_t n = data.aggregates.size();
  out->value.resize(n);
  out->keyed.resize(n);
  impl_->history->Advance(record, day, impl_->as_of, clock, out);
  return Status::Ok();
}

Status StreamState::AdvanceBatch(const Record* const* records, std::size_t n,
                                 AggregateMeasures* const* out) {
  Status status = Status::Ok();
  const auto& data = rules_->data();
  const std::size_t aggregates = data.aggregates.size();
  constexpr std::size_t kChunk = 256;
  const Record* batch[kChunk];
  AggregateMeasures* batch_out[kChunk];
  Days days[kChunk];
  for (std::size_t at = 0; at < n;) {
    // The records of the chunk that the stream takes, with their days: a
    // record of another schema is refused as Advance refuses it.
    std::size_t m = 0;
    for (; at < n && m < kChunk; ++at) {
      out[at]->Clear();
      if (!records[at]->schema().SameAs(rules_->schema())) {
        if (status.ok()) {
          status = WrongSchema();
        }
        continue;
      }
      batch[m] = records[at];
      batch_out[m] = out[at];
      out[at]->value.resize(aggregates);
      out[at]->keyed.resize(aggregates);
      days[m] = internal::RecordDay(data.schema, *records[at], impl_->as_of);
      ++m;
    }
    impl_->records += m;
    impl_->history->AdvanceBatch(batch, days, m, impl_->as_of, &impl_->clock, batch_out);
  }
  return status;
}

Status StreamState::Peek(const Record& record, AggregateMeasures* out) const {
  out->Clear();
  if (!record.schema().SameAs(rules_->schema())) {
    return WrongSchema();
  }
  // A measure reads only the record's own key, so a history holding just
  // those keys' items, as a state file holds them, measures the record
  // exactly as this one would (a restored stream continues exactly).
  const auto& data = rules_->data();
  std::unique_ptr<internal::StreamHistory> probe = NewHistory(data, kind_);
  std::string key;
  std::vector<internal::HeldItem> held;
  for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
    if (!internal::AggregateKey(data.schema, data.aggregates[a], record, &key)) continue;
    impl_->history->ExportKey(static_cast<int>(a), key, impl_->clock, &held);
    if (!held.empty()) probe->Import(static_cast<int>(a), key, held);
  }
  const Days day = internal::RecordDay(data.schema, record, impl_->as_of);
  internal::StreamClock clock = impl_->clock;
  clock.Tick(day);
  out->value.resize(data.aggregates.size());
  out->keyed.resize(data.aggregates.size());
  probe->Advance(record, day, impl_->as_of, clock, out);
  return Status::Ok();
}

namespace {

// Replaces `path` whole or not at all: a temporary file beside it, fsync,
// rename, then fsync of the directory so the rename is durable too.
Status WriteFileAtomically(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](const std::string& what) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return Status(StatusCode::kIoError, path + ": " + what + ": " + std::strerror(err));
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status(StatusCode::kIoError, path + ": cannot write " + tmp + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("cannot fsync");
  }
  if (::close(fd) != 0) return fail("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename the new state over it");
  const std::size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

}  // namespace

void StreamState::AppendHeld(void* held_state) const {
  auto& held = *static_cast<internal::HeldState*>(held_state);
  const auto& data = rules_->data();
  if (!held.clock.started || (impl_->clock.started && impl_->clock.latest > held.clock.latest)) {
    held.clock = impl_->clock;
  }
  for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
    if (std::any_of(held.aggregates.begin(), held.aggregates.end(),
                    [&](const internal::HeldAggregate& h) {
                      return h.definition == data.aggregates[a].key;
                    })) {
      continue;
    }
    internal::HeldAggregate ha;
    ha.definition = data.aggregates[a].key;
    ha.measure = static_cast<std::uint8_t>(data.aggregates[a].measure);
    const bool ordered = data.aggregates[a].measure == internal::AggregateDef::Measure::kSum;
    impl_->history->Export(static_cast<int>(a), impl_->clock, [&](std::string_view key,
                                                  const std::vector<internal::HeldItem>& items) {
      ha.keys.push_back(internal::HeldKey{std::string(key), items});
      // A sum keeps stream order (it adds in it); counts and distinct values
      // are sets, written by day and value so the file is canonical.
      if (!ordered) {
        std::sort(ha.keys.back().items.begin(), ha.keys.back().items.end(),
                  [](const internal::HeldItem& x, const internal::HeldItem& y) {
                    if (x.day != y.day) return x.day < y.day;
                    return x.text != y.text ? x.text < y.text : x.n < y.n;
                  });
      }
    });
    // Keys in byte order, so the same history always writes the same bytes:
    // an order of indices is sorted, then the keys are moved once.
    std::vector<std::uint32_t> order(ha.keys.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
      return ha.keys[x].key < ha.keys[y].key;
    });
    std::vector<internal::HeldKey> sorted;
    sorted.reserve(order.size());
    for (std::uint32_t i : order) sorted.push_back(std::move(ha.keys[i]));
    ha.keys = std::move(sorted);
    held.aggregates.push_back(std::move(ha));
  }
}

std::string StreamState::Save() const {
  internal::HeldState held;
  AppendHeld(&held);
  return internal::EncodeState(held);
}

Status StreamState::SaveFile(const std::string& path) const {
  return WriteFileAtomically(path, Save());
}

Status SaveStreamsFile(const std::string& path, const std::vector<const StreamState*>& streams) {
  internal::HeldState held;
  for (const StreamState* s : streams) {
    if (s) s->AppendHeld(&held);
  }
  return WriteFileAtomically(path, internal::EncodeState(held));
}

Status WriteStateFile(const std::string& path, std::string_view bytes) {
  return WriteFileAtomically(path, bytes);
}

Status StreamState::Load(std::string_view bytes, const std::string& name,
                         std::vector<std::string>* not_in_file) {
  if (impl_->records != 0 || impl_->clock.started) {
    return Status(StatusCode::kInvalidArgument,
                  name + ": a state can be loaded only into a stream that has not started");
  }
  internal::HeldState held;
  if (Status s = internal::DecodeState(bytes, &held); !s.ok()) {
    return Status(StatusCode::kInvalidArgument, name + ": " + s.message());
  }
  const auto& data = rules_->data();
  // Build the new histories aside, so a failure leaves the stream as it was.
  std::unique_ptr<internal::StreamHistory> next = NewHistory(data, kind_);
  std::vector<std::string> missing;
  for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
    const internal::AggregateDef& def = data.aggregates[a];
    auto it = std::find_if(held.aggregates.begin(), held.aggregates.end(),
                           [&](const internal::HeldAggregate& h) { return h.definition == def.key; });
    if (it == held.aggregates.end()) {
      missing.push_back(def.label);
      continue;
    }
    if (it->measure != static_cast<std::uint8_t>(def.measure)) {
      return Status(StatusCode::kInvalidArgument,
                    name + ": corrupt state file (an aggregate's measure does not match its definition)");
    }
    const Days forget = held.clock.ForgetAtOrBefore(def.days);
    std::vector<internal::HeldItem> items;
    next->ReserveKeys(static_cast<int>(a), it->keys.size());
    for (const internal::HeldKey& k : it->keys) {
      items.clear();
      for (const internal::HeldItem& i : k.items) {
        if (i.day > forget) items.push_back(i);
      }
      next->Import(static_cast<int>(a), k.key, items);
    }
  }
  impl_->clock = held.clock;
  impl_->history = std::move(next);
  if (not_in_file) not_in_file->insert(not_in_file->end(), missing.begin(), missing.end());
  return Status::Ok();
}

Status StreamState::LoadFile(const std::string& path, std::vector<std::string>* not_in_file) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status(StatusCode::kNotFound, path + ": no such file");
    return Status(StatusCode::kIoError, path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status(StatusCode::kIoError, path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(StatusCode::kIoError, path + ": cannot open: " + std::strerror(errno));
  // In one read of the size stat gave (then whatever follows, should it have
  // grown): a character at a time, 25 MiB took a tenth of a second.
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in) bytes.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) return Status(StatusCode::kIoError, path + ": cannot read");
  return Load(bytes, path, not_in_file);
}

Status StreamState::Rebind(std::shared_ptr<const RuleSet> next_rules,
                           std::vector<std::string>* started_empty) {
  if (!next_rules || !next_rules->schema().SameAs(rules_->schema())) {
    return Status(StatusCode::kInvalidArgument, "the new rule set has a different schema");
  }
  const auto& old_data = rules_->data();
  const auto& data = next_rules->data();
  // The same definitions in the same order (a reload of rules whose
  // aggregates did not change, the common case): the history goes on as it
  // is, re-pointed at the new set's definitions (time in the aggregates, not
  // the keys), and the old set may go. The measures come out by the same
  // index, and a definition's key is all of it (by, days, where, measure,
  // field), so nothing it computes changes; carrying the history over key
  // by key would cost time in the keys held while the caller (serve's
  // stream lock) holds every scorer back.
  if (data.aggregates.size() == old_data.aggregates.size() &&
      std::equal(data.aggregates.begin(), data.aggregates.end(), old_data.aggregates.begin(),
                 [](const internal::AggregateDef& x, const internal::AggregateDef& y) { return x.key == y.key; })) {
    impl_->history->Retarget(data);
    rules_ = std::move(next_rules);
    return Status::Ok();
  }
  // A history refers to its rule set's definition: carry it over by
  // exporting and importing, which keeps exactly what the window still holds.
  std::unique_ptr<internal::StreamHistory> next = NewHistory(data, kind_);
  for (std::size_t a = 0; a < data.aggregates.size(); ++a) {
    const internal::AggregateDef& def = data.aggregates[a];
    auto it = std::find_if(old_data.aggregates.begin(), old_data.aggregates.end(),
                           [&](const internal::AggregateDef& d) { return d.key == def.key; });
    if (it == old_data.aggregates.end()) {
      if (started_empty) started_empty->push_back(def.label);
      continue;
    }
    const auto old_index = static_cast<std::size_t>(it - old_data.aggregates.begin());
    impl_->history->Export(
        static_cast<int>(old_index), impl_->clock,
        [&](std::string_view key, const std::vector<internal::HeldItem>& items) {
          next->Import(static_cast<int>(a), key, items);
        });
  }
  impl_->history = std::move(next);
  rules_ = std::move(next_rules);
  return Status::Ok();
}

StreamStats StreamState::stats() const {
  StreamStats s;
  s.records = impl_->records;
  s.keys = impl_->history->keys();
  s.slots = impl_->history->slots();
  s.memory_bytes = impl_->history->MemoryBytes();
  return s;
}

}  // namespace targeting
