// Error types shared by the whole public API.
//
// Two tiers, as in cel-cpp: mistakes in user input (rule files, test records)
// come back as data, a list of `Issue`s; failures of the system (a file that
// cannot be opened, a limit that was hit) come back as a `Status`. No exception
// crosses the public API.
#ifndef TARGETING_STATUS_H_
#define TARGETING_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace targeting {

enum class Severity { kError, kWarning };

// One problem found in user input. Value type; thread-compatible.
struct Issue {
  Severity severity = Severity::kError;
  std::string file;      // path as given by the user, or a pseudo-name for strings
  int line = 0;          // 1-based; 0 when there is no position
  int column = 0;        // 1-based; 0 when there is no position
  std::string entry_id;  // the entry the issue belongs to, if any
  std::string message;

  // "file:line:col: error: message [entry ID]". Positions that are unknown are left out.
  std::string ToString() const;
};

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad usage or a malformed value given by the caller
  kNotFound,         // a path that does not exist
  kIoError,          // a path that exists but cannot be read or written
  kLimitExceeded,    // a configured resource limit was hit
  kCompileError,     // the rule set has errors; see the issues
  kInternal,         // a bug in this library
};

// The outcome of an operation that can fail for system reasons.
// Value type; thread-compatible.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or a non-ok Status. Value type; thread-compatible.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {}     // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // Preconditions: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace targeting

#endif  // TARGETING_STATUS_H_
