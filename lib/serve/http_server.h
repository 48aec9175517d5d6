// The network side of `targeting serve`: Boost.Asio and Boost.Beast, after
// Beast's advanced_server example (timeouts, limits, graceful stop), with one
// io_context per --threads thread and connections dealt out among them, one
// more thread for reloads, requests on a connection answered in order
// (pipelining), a timeout on every read and write, at most
// --max-connections open, and a graceful stop.
#ifndef TARGETING_LIB_SERVE_HTTP_SERVER_H_
#define TARGETING_LIB_SERVE_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "serve/serve.h"
#include "serve/service.h"

namespace targeting::serve {

// Not thread-safe: Listen, Run and Stop from the thread that owns it (Stop
// also from a signal handler's thread). Sessions share the Service.
class HttpServer {
 public:
  HttpServer(Service& service, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; false with *error. port() is then the bound port.
  bool Listen(std::string* error);
  std::uint16_t port() const;

  // Serves until SIGTERM or SIGINT (SIGHUP reloads), then stops accepting,
  // lets the requests in flight finish (up to shutdown_seconds), and
  // returns.
  void Run();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_HTTP_SERVER_H_
