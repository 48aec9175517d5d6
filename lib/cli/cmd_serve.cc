// targeting serve RULES: the engine as an HTTP service (docs/service.md).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <thread>
#include <utility>

#include "cli/commands.h"
#include "cli/common.h"
#include "serve/serve.h"

namespace targeting::cli {
namespace {

// Whole numbers from `min` to `max`; nullopt after printing an error.
std::optional<long long> Count(const std::string& cmd, const Args& args, const char* name,
                               long long min, long long max, long long fallback) {
  if (!args.has(name)) return fallback;
  auto v = ParseCount(args.get(name));
  if (!v || *v < min || *v > max) {
    Fail(cmd, std::string("--") + name + " needs a whole number from " + std::to_string(min) +
                  " to " + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

// The default --max-connections: 10000, or fewer when the file descriptor
// limit would not hold them (with room for the rule files and the process).
long long DefaultMaxConnections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 10'000;
  const long long fds = static_cast<long long>(limit.rlim_cur);
  return std::clamp(fds - 64, 1LL, 10'000LL);
}

int RunServe(const Args& args) {
  const std::string cmd = "serve";
  serve::ServiceOptions service;
  serve::ServerOptions server;
  service.rules_path = args.positional()[0];
  if (args.has("as-of")) {
    auto as_of = AsOf(cmd, args);
    if (!as_of) return kExitUsage;
    service.as_of = *as_of;
  }
  auto compile = CompileOptionsFrom(cmd, args);
  auto reader = ReaderOptionsFrom(cmd, args);
  if (!compile || !reader) return kExitUsage;
  service.compile = *compile;
  service.reader = *reader;

  const std::string listen = args.get("listen", "127.0.0.1:8080");
  const std::size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  auto port = colon == std::string::npos ? std::nullopt : ParseCount(listen.substr(colon + 1));
  if (host.empty() || !port || *port > 65535) {
    Fail(cmd, "--listen needs HOST:PORT, such as 127.0.0.1:8080 (port 0: any free port)");
    return kExitUsage;
  }
  server.host = host;
  server.port = static_cast<std::uint16_t>(*port);

  const long long cores = std::max(1u, std::thread::hardware_concurrency());
  auto threads = Count(cmd, args, "threads", 1, 256, cores);
  auto timeout = Count(cmd, args, "timeout", 1, 3600, 10);
  auto max_connections = Count(cmd, args, "max-connections", 1, 1'000'000, DefaultMaxConnections());
  auto shutdown = Count(cmd, args, "shutdown-seconds", 0, 3600, 30);
  auto max_body = Count(cmd, args, "max-body-bytes", 1, 1LL << 32, 8LL << 20);
  auto max_records = Count(cmd, args, "max-records", 1, 100'000'000, 10'000);
  auto checkpoint = Count(cmd, args, "checkpoint-seconds", 1, 86'400, 60);
  if (!threads || !timeout || !max_connections || !shutdown || !max_body || !max_records || !checkpoint) {
    return kExitUsage;
  }
  server.threads = static_cast<int>(*threads);
  server.timeout_seconds = static_cast<int>(*timeout);
  server.max_connections = static_cast<std::size_t>(*max_connections);
  server.shutdown_seconds = static_cast<int>(*shutdown);
  server.port_file = args.get("port-file");
  service.max_body_bytes = static_cast<std::size_t>(*max_body);
  service.max_records = static_cast<std::size_t>(*max_records);

  service.state_path = args.get("state");
  service.checkpoint_seconds = static_cast<int>(*checkpoint);
  if (args.has("checkpoint-seconds") && service.state_path.empty()) {
    Fail(cmd, "--checkpoint-seconds needs --state FILE");
    return kExitUsage;
  }

  if (args.has("token-file")) {
    const std::string path = args.get("token-file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      Fail(cmd, "cannot read --token-file " + path);
      return kExitUsage;
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::string token = text.str();
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
      Fail(cmd, "--token-file " + path + " must hold one token (no spaces) on one line");
      return kExitUsage;
    }
    service.token = std::move(token);
  }
  return serve::RunService(service, server);
}

std::vector<OptionSpec> ServeOptions() {
  std::vector<OptionSpec> o = {
      {"listen", true, "HOST:PORT", "address to listen on (default 127.0.0.1:8080; port 0: any free port)"},
      {"threads", true, "N", "threads serving requests (default: the number of cores)"},
      {"token-file", true, "FILE", "require 'Authorization: Bearer TOKEN' with the token in FILE on all but /healthz and /readyz"},
      {"state", true, "FILE", "stream state of the aggregates: restored at start (a missing FILE starts empty), checkpointed every --checkpoint-seconds and at shutdown"},
      {"checkpoint-seconds", true, "S", "with --state: checkpoint every S seconds and at shutdown (default 60)"},
      {"max-body-bytes", true, "BYTES", "limit: one request body; larger is 413 (default 8388608)"},
      {"max-records", true, "N", "limit: records in one request; more is 413 (default 10000)"},
      {"timeout", true, "S", "seconds to read one request, idle time included, and to write one answer (default 10)"},
      {"max-connections", true, "N", "connections open at once; more are closed at once (default 10000, less when the fd limit is lower)"},
      {"shutdown-seconds", true, "S", "on SIGTERM, how long requests in flight get to finish (default 30)"},
      {"port-file", true, "FILE", "once listening, write the port here (for --listen HOST:0)"},
      AsOfOption(),
  };
  for (OptionSpec& l : LimitOptions()) o.push_back(std::move(l));
  for (OptionSpec& l : ReaderLimitOptions()) o.push_back(std::move(l));
  return o;
}

const bool kServeRegistered = RegisterCommand(Command{
    CommandSpec{"serve", "RULES [--listen 127.0.0.1:8080] [--threads N] [--state FILE] [--checkpoint-seconds S] [--token-file F] [--as-of DATE]",
                "Serve the engine over HTTP: POST /v1/score, POST /v1/explain, GET /v1/rules,\n"
                "POST /v1/reload, GET /healthz, GET /readyz and GET /metrics (docs/service.md).\n\n"
                "Listens on loopback unless told otherwise. SIGHUP reloads RULES as POST\n"
                "/v1/reload does: a rule set that does not compile leaves the one in place.\n"
                "SIGTERM or SIGINT stops accepting, lets requests in flight finish, and exits 0.\n"
                "With --state, the aggregates' stream is restored at start and checkpointed\n"
                "every S seconds and at shutdown; a crash loses at most one interval. A state\n"
                "file that cannot be read is exit 2, never an empty start.\n"
                "Without --as-of, a record with no date is scored with today's date (UTC),\n"
                "taken afresh as days pass. Exit 2 when it cannot start (rules that do not\n"
                "compile, an address it cannot bind).",
                ServeOptions(), 1, 1},
    70, RunServe});

}  // namespace
}  // namespace targeting::cli
