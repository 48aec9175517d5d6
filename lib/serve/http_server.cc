#include "serve/http_server.h"

#include "serve/priority.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace targeting::serve {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
// The largest request header (request line and fields) read.
constexpr std::uint32_t kHeaderLimit = 16 << 10;
class Session;
}  // namespace

struct HttpServer::Impl {
  Impl(Service& s, ServerOptions o)
      : service(s), options(std::move(o)), iocs(MakeContexts(options.threads)), main(*iocs[0]),
        acceptor(main), signals(main, SIGINT, SIGTERM, SIGHUP), accept_retry(main) {}

  // One io_context per thread, each run by its one thread: a connection's
  // handlers all run on the thread that accepted it, with no strand and no
  // hand-off between threads (the io_context-per-core design of Asio's
  // examples), which on two shared cores saves most of the wake-ups a
  // shared io_context costs.
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void WaitSignal();
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(std::uint64_t id);
  void RequestStop();
  // Runs `compile` (a reload) on the calling thread, the reload thread.
  template <typename F>
  void AtIdlePriority(F&& compile);

  Service& service;
  ServerOptions options;
  std::vector<std::unique_ptr<net::io_context>> iocs;
  net::io_context& main;  // iocs[0]: also the acceptor, signals and retry timer
  std::size_t next_ioc = 0;
  // Reloads compile here, off the threads that serve requests.
  net::io_context reload_ioc{1};
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer accept_retry;
  std::atomic<bool> stopping{false};

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;

  std::mutex sessions_mu;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;
};

namespace {

bool IsHttpParseError(const beast::error_code& ec) {
  return ec.category() == beast::http::make_error_code(beast::http::error::bad_target).category();
}

// One connection: read a request, answer it, and again, in order.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl& server, std::uint64_t id)
      : stream_(std::move(socket)), server_(server), service_(server.service), id_(id) {
    service_.metrics().connections_open.fetch_add(1);
  }
  ~Session() {
    server_.Unregister(id_);
    service_.metrics().connections_open.fetch_sub(1);
  }

  std::uint64_t id() const { return id_; }

  void Start() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::ReadHeader, shared_from_this()));
  }

  // Shutdown: a connection waiting for a request is closed now; one in the
  // middle of a request finishes it and closes after its answer.
  void Stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->stream_.cancel();
    });
  }

 private:
  void ReadHeader() {
    busy_ = false;
    if (server_.stopping.load()) return Close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(service_.max_body_bytes());
    // One deadline for the whole request, idle wait included: a client that
    // trickles bytes gets no more time than one that sends nothing.
    stream_.expires_after(std::chrono::seconds(server_.options.timeout_seconds));
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    busy_ = true;
    start_ = Clock::now();
    const RequestHeader& header = parser_->get();
    endpoint_ = Service::EndpointOf(std::string_view(header.target().data(), header.target().size()));
    std::optional<Response> early;
    try {
      early = service_.Precheck(header);
    } catch (const std::exception&) {
      early = Internal(header.version());
    }
    // Refused on its header: the body, if any, is not read, so the
    // connection cannot carry another request.
    if (early) {
      drain_ = !parser_->is_done();
      return Write(std::move(*early), drain_ || !parser_->get().keep_alive());
    }
    const auto expect = header[http::field::expect];
    if (!parser_->is_done() && beast::iequals(expect, "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_, header.version());
      http::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
        if (wec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    Request request = parser_->release();
    parser_.reset();
    const bool keep_alive = request.keep_alive();
    const unsigned version = request.version();
    if (endpoint_ == Endpoint::kReload) {
      // Compiling takes milliseconds: done on the reload thread, so that the
      // other connections of this thread are not held up.
      net::post(server_.reload_ioc, [self = shared_from_this(), request = std::move(request), keep_alive,
                                     version]() mutable {
        Response res;
        self->server_.AtIdlePriority([&] {
          try {
            res = self->service_.Handle(std::move(request));
          } catch (const std::exception&) {
            res = Internal(version);
          }
        });
        net::post(self->stream_.get_executor(), [self, res = std::move(res), keep_alive]() mutable {
          self->Write(std::move(res), !keep_alive);
        });
      });
      return;
    }
    Response res;
    try {
      res = service_.Handle(std::move(request));
    } catch (const std::exception&) {
      res = Internal(version);
    }
    Write(std::move(res), !keep_alive);
  }

  static Response Internal(unsigned version) {
    Response res{http::status::internal_server_error, version};
    res.set(http::field::content_type, "application/json");
    res.body() = "{\"error\":\"internal error\"}\n";
    res.prepare_payload();
    return res;
  }

  void OnReadError(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      service_.metrics().connections_timed_out.fetch_add(1);
      return Close();
    }
    if (!busy_) {
      start_ = Clock::now();
      endpoint_ = Endpoint::kOther;
    }
    const unsigned version = parser_ && parser_->is_header_done() ? parser_->get().version() : 11;
    auto refuse = [&](http::status status, const char* message) {
      Response res{status, version};
      res.set(http::field::content_type, "application/json");
      res.body() = std::string("{\"error\":\"") + message + "\"}\n";
      res.prepare_payload();
      Write(std::move(res), true);
    };
    if (ec == http::error::body_limit) {
      drain_ = true;
      return refuse(http::status::payload_too_large, "body over --max-body-bytes");
    }
    if (ec == http::error::header_limit) {
      return refuse(http::status::request_header_fields_too_large, "request header over 16384 bytes");
    }
    // A client that closes half-way through a request is not answered.
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return Close();
    if (IsHttpParseError(ec)) return refuse(http::status::bad_request, "malformed HTTP request");
    Close();  // cancelled at shutdown, reset by the peer, ...
  }

  void Write(Response&& res, bool close) {
    busy_ = true;
    res_ = std::move(res);
    close_ = close || server_.stopping.load();
    res_.keep_alive(!close_);
    // Counted once the answer is ready, before it is sent, so that a client
    // that has its answer finds the request in /metrics.
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    service_.metrics().ObserveRequest(endpoint_, res_.result_int(), seconds);
    stream_.expires_after(std::chrono::seconds(server_.options.timeout_seconds));
    http::async_write(stream_, res_, beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t) {
    res_ = {};
    if (ec == beast::error::timeout) service_.metrics().connections_timed_out.fetch_add(1);
    if (ec) return Close();
    if (close_) return drain_ ? Drain() : Close();
    ReadHeader();
  }

  // Closing with a body still coming would make the kernel answer it with a
  // reset, which can destroy the answer before the client reads it: send
  // the FIN, then read and drop what still arrives, for a bounded time and
  // number of bytes, until the client closes.
  void Drain() {
    Close();
    stream_.expires_after(std::chrono::seconds(2));
    ReadAndDrop(0);
  }

  void ReadAndDrop(std::size_t dropped) {
    if (dropped > (1u << 20)) return;
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16 << 10),
                            [self = shared_from_this(), dropped](beast::error_code ec, std::size_t n) {
                              if (!ec) self->ReadAndDrop(dropped + n);
                            });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // The socket closes when the last handler lets go of the session.
  }

  beast::tcp_stream stream_;
  HttpServer::Impl& server_;
  Service& service_;
  const std::uint64_t id_;
  // Bytes read ahead of the parser: a header at most, or a slice of a body
  // on its way into the request.
  beast::flat_buffer buffer_{kHeaderLimit + (64 << 10)};
  std::optional<http::request_parser<http::string_body>> parser_;
  Response res_;
  bool close_ = false;
  bool drain_ = false;  // closing with part of a request unread
  bool busy_ = false;  // between a request's header and its answer written
  Clock::time_point start_;
  Endpoint endpoint_ = Endpoint::kOther;
};

}  // namespace

void HttpServer::Impl::Register(const std::shared_ptr<Session>& s) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  sessions.emplace(s->id(), s);
}

void HttpServer::Impl::Unregister(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(sessions_mu);
  sessions.erase(id);
}

void HttpServer::Impl::DoAccept() {
  net::io_context& target = *iocs[next_ioc++ % iocs.size()];
  acceptor.async_accept(target, beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping.load() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of file descriptors, say: wait a little rather than spin.
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](beast::error_code wec) {
      if (!wec && !stopping.load()) DoAccept();
    });
    return;
  }
  service.metrics().connections_accepted.fetch_add(1);
  if (service.metrics().connections_open.load() >= options.max_connections) {
    service.metrics().connections_refused.fetch_add(1);
    beast::error_code ignored;
    socket.close(ignored);
    return DoAccept();
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  auto session = std::make_shared<Session>(std::move(socket), *this, next_id++);
  Register(session);
  session->Start();
  DoAccept();
}


// How long a reload compiles at SCHED_IDLE before it is raised to nice 10.
constexpr auto kIdleReloadGrace = std::chrono::seconds(2);

// A reload compiles at SCHED_IDLE: it runs only on a core that no request
// wants, so that a request in flight is never slowed by it (at nice 10 it
// still took a share of a core: with one connection and single records a
// reload every second tripled the p99). On a server that keeps every core
// busy the compile could then wait without bound, so a reload still
// compiling after kIdleReloadGrace is raised to nice 10, with the threads it
// started.
template <typename F>
void HttpServer::Impl::AtIdlePriority(F&& compile) {
  const pid_t self = CurrentThreadId();
  // Where the process could not raise it again, the reload stays at nice 10.
  const bool idle = IdleThreadsCanBeRaised() && SetThreadIdle(self, true);
  std::shared_ptr<net::steady_timer> raise;
  if (idle) {
    raise = std::make_shared<net::steady_timer>(main, kIdleReloadGrace);
    raise->async_wait([raise](beast::error_code ec) {
      if (!ec) RaiseIdleThreads();
    });
  }
  compile();
  if (idle) {
    SetThreadIdle(self, false);
    net::post(main, [raise] { raise->cancel(); });
  }
}

void HttpServer::Impl::WaitSignal() {
  signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;  // cancelled at shutdown
    if (signal == SIGHUP) {
      net::post(reload_ioc, [this] {
        AtIdlePriority([this] {
          try {
            service.Reload();
          } catch (const std::exception& e) {
            std::fprintf(stderr, "targeting serve: reload failed: %s\n", e.what());
          }
        });
      });
    } else {
      RequestStop();
    }
    WaitSignal();
  });
}

void HttpServer::Impl::RequestStop() {
  std::lock_guard<std::mutex> lock(stop_mu);
  stop_requested = true;
  stop_cv.notify_all();
}

HttpServer::HttpServer(Service& service, ServerOptions options)
    : impl_(std::make_unique<Impl>(service, std::move(options))) {}

HttpServer::~HttpServer() = default;

bool HttpServer::Listen(std::string* error) {
  Impl& s = *impl_;
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(s.options.host, ec);
  if (ec) {
    *error = "--listen: '" + s.options.host + "' is not an IP address";
    return false;
  }
  const tcp::endpoint endpoint(address, s.options.port);
  auto fail = [&](const char* what) {
    *error = std::string("cannot ") + what + " " + s.options.host + ":" + std::to_string(s.options.port) +
             ": " + ec.message();
    return false;
  };
  s.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  s.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  return true;
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Run() {
  Impl& s = *impl_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  for (auto& ioc : s.iocs) work.push_back(net::make_work_guard(*ioc));
  work.push_back(net::make_work_guard(s.reload_ioc));
  net::dispatch(s.main, [&s] {
    s.WaitSignal();
    s.DoAccept();
  });
  std::vector<std::thread> threads;
  std::vector<net::io_context*> contexts;
  for (auto& ioc : s.iocs) contexts.push_back(ioc.get());
  contexts.push_back(&s.reload_ioc);
  for (net::io_context* ioc : contexts) {
    const bool reloads = ioc == &s.reload_ioc;
    threads.emplace_back([ioc, reloads] {
      if (reloads) SetThreadIdle(CurrentThreadId(), false);  // nice 10 between reloads
      for (;;) {
        try {
          ioc->run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "targeting serve: internal error: %s\n", e.what());
        }
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(s.stop_mu);
    s.stop_cv.wait(lock, [&s] { return s.stop_requested; });
  }
  // Stop accepting, close idle connections, let requests in flight finish.
  s.stopping.store(true);
  s.service.SetStopping();
  net::post(s.main, [&s] {
    beast::error_code ignored;
    s.acceptor.close(ignored);
    s.accept_retry.cancel();
  });
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(s.sessions_mu);
    for (auto& [id, weak] : s.sessions) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (auto& session : open) session->Stop();
  open.clear();  // outside the lock: the last reference may run ~Session
  const auto deadline = Clock::now() + std::chrono::seconds(s.options.shutdown_seconds);
  while (s.service.metrics().connections_open.load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::uint64_t left = s.service.metrics().connections_open.load();
  if (left > 0) {
    std::fprintf(stderr, "targeting serve: %llu connections still open after %d s; closing them\n",
                 static_cast<unsigned long long>(left), s.options.shutdown_seconds);
  }
  net::post(s.main, [&s] {
    beast::error_code ignored;
    s.signals.cancel(ignored);
  });
  work.clear();
  for (net::io_context* ioc : contexts) ioc->stop();
  for (std::thread& t : threads) t.join();
}

int RunService(const ServiceOptions& service_options, const ServerOptions& server_options) {
  std::string error;
  std::vector<std::string> issues;
  std::unique_ptr<Service> service = Service::Create(service_options, &error, &issues);
  for (const std::string& issue : issues) std::fprintf(stderr, "%s\n", issue.c_str());
  if (!service) {
    std::fprintf(stderr, "targeting serve: %s\n", error.c_str());
    return 2;
  }
  std::fprintf(stderr, "targeting serve: rule set %s fingerprint %s\n", service_options.rules_path.c_str(),
               service->fingerprint().c_str());
  const bool stateful = !service_options.state_path.empty();
  if (stateful) {
    std::vector<std::string> notes;
    const Status restored = service->RestoreState(&notes);
    if (!restored.ok() && restored.code() != StatusCode::kNotFound) {
      // Never start empty over a state that could not be read: the file is
      // left as it is for someone to look at.
      std::fprintf(stderr, "targeting serve: --state %s\n", restored.message().c_str());
      return 2;
    }
    for (const std::string& note : notes) std::fprintf(stderr, "targeting serve: %s\n", note.c_str());
    if (restored.code() == StatusCode::kNotFound) {
      // Find out now, not a checkpoint interval from now, that FILE cannot
      // be written.
      bool wrote = false;
      if (Status s = service->Checkpoint(&wrote, true); !s.ok()) {
        std::fprintf(stderr, "targeting serve: --state %s\n", s.message().c_str());
        return 2;
      }
    }
  }
  // From here on SIGINT, SIGTERM and SIGHUP belong to the server's signal_set.
  HttpServer server(*service, server_options);
  if (!server.Listen(&error)) {
    std::fprintf(stderr, "targeting serve: %s\n", error.c_str());
    return 2;
  }
  const std::uint16_t port = server.port();
  if (!server_options.port_file.empty()) {
    const std::string tmp = server_options.port_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << port << "\n";
      if (!out.flush()) {
        std::fprintf(stderr, "targeting serve: cannot write %s\n", tmp.c_str());
        return 2;
      }
    }
    if (std::rename(tmp.c_str(), server_options.port_file.c_str()) != 0) {
      std::fprintf(stderr, "targeting serve: cannot write %s\n", server_options.port_file.c_str());
      return 2;
    }
  }
  std::fprintf(stderr, "targeting serve: listening on http://%s:%u with %d threads\n",
               server_options.host.c_str(), static_cast<unsigned>(port), server_options.threads);
  if (!IdleThreadsCanBeRaised()) {
    // Said once: an operator whose reloads show in the latency tail can fix it.
    std::fprintf(stderr,
                 "targeting serve: reloads compile at nice 10, not at idle priority: RLIMIT_NICE does not "
                 "let this process leave SCHED_IDLE (ulimit -e 10, or LimitNICE=10 in a systemd unit)\n");
  }
  std::fflush(stderr);

  // --state: a checkpoint every --checkpoint-seconds while serving, and one
  // after the last request has finished.
  std::mutex checkpoint_mu;
  std::condition_variable checkpoint_cv;
  bool checkpoint_stop = false;
  auto checkpoint = [&service](const char* when) {
    bool wrote = false;
    const Status s = service->Checkpoint(&wrote);
    if (!s.ok()) {
      std::fprintf(stderr, "targeting serve: %s checkpoint failed: %s\n", when, s.message().c_str());
    }
    return s.ok();
  };
  std::thread checkpointer;
  if (stateful) {
    checkpointer = std::thread([&] {
      std::unique_lock<std::mutex> lock(checkpoint_mu);
      const auto every = std::chrono::seconds(service_options.checkpoint_seconds);
      while (!checkpoint_cv.wait_for(lock, every, [&] { return checkpoint_stop; })) {
        lock.unlock();
        checkpoint("periodic");
        lock.lock();
      }
    });
  }
  server.Run();
  int code = 0;
  if (stateful) {
    {
      std::lock_guard<std::mutex> lock(checkpoint_mu);
      checkpoint_stop = true;
    }
    checkpoint_cv.notify_all();
    checkpointer.join();
    if (checkpoint("final")) {
      std::fprintf(stderr, "targeting serve: stream state saved to %s\n", service_options.state_path.c_str());
    } else {
      code = 1;  // what the stream learnt since the last checkpoint is lost
    }
  }
  std::fprintf(stderr, "targeting serve: stopped\n");
  return code;
}

}  // namespace targeting::serve
