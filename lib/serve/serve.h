// Layout: serve/ is `targeting serve`, the engine as an HTTP service: a front end over the public API.
// What the command (lib/cli/cmd_serve.cc) hands the service, and the one
// call that runs it. docs/service.md describes the HTTP API.
#ifndef TARGETING_LIB_SERVE_SERVE_H_
#define TARGETING_LIB_SERVE_SERVE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "targeting/io.h"
#include "targeting/record.h"
#include "targeting/rules.h"

namespace targeting::serve {

// Everything the service is told at start. Value type.
struct ServiceOptions {
  std::string rules_path;  // compiled at start and by every reload
  CompileOptions compile;
  ReaderOptions reader;
  // A fixed as-of date; nullopt: today (UTC), taken afresh as days pass.
  std::optional<Days> as_of;
  std::string token;  // "" = no authentication
  std::size_t max_body_bytes = 8 << 20;
  std::size_t max_records = 10'000;  // records in one request
  // --state: the aggregates' stream, restored at start, checkpointed every
  // checkpoint_seconds and at shutdown. "" = the stream lives in memory only.
  std::string state_path;
  int checkpoint_seconds = 60;
  // A testing seam: when set, called by every /v1/score between reading its
  // records and scoring them, which is where a reload landing mid-request
  // moves the request to the new set (tests/unit/service_test.cc).
  std::function<void()> after_read;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 = any free port
  int threads = 2;
  int timeout_seconds = 10;  // reading one request (idle time included), writing one answer
  std::size_t max_connections = 10'000;
  int shutdown_seconds = 30;  // how long in-flight requests get after SIGTERM
  std::string port_file;      // written (atomically) once listening
};

// Compiles the rules, listens, and serves until SIGTERM or SIGINT; SIGHUP
// reloads. Prints its one-line messages on stderr as "targeting serve: ...".
// Returns the process exit code: 0 after a graceful shutdown, 2 when it
// cannot start.
int RunService(const ServiceOptions& service, const ServerOptions& server);

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_SERVE_H_
