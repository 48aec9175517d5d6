// The service without the network: what a reload landing in the middle of a
// /v1/score request does to it (lib/serve/service.cc). The HTTP behaviour is
// tested end to end by tests/serve/serve_test.py.
#include "serve/service.h"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "file_util.h"

namespace targeting::serve {
namespace {

std::vector<std::string> PackRecords() {
  std::istringstream in(testing::Slurp(TARGETING_SOURCE_DIR "/examples/data/manifest.jsonl"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

ServiceOptions PackOptions() {
  ServiceOptions o;
  o.rules_path = TARGETING_SOURCE_DIR "/rules";
  o.as_of = 20'454;  // 2026-01-01
  return o;
}

Response Post(Service& service, const std::vector<std::string>& lines, std::size_t from, std::size_t n) {
  Request req{http::verb::post, "/v1/score", 11};
  req.set(http::field::content_type, "application/x-ndjson");
  for (std::size_t i = from; i < from + n; ++i) req.body() += lines[i] + "\n";
  req.prepare_payload();
  return service.Handle(std::move(req));
}

// A reload between a request's reading and its scoring moves the request to
// the new set. The worker then holds records read with the old set's schema;
// the next request, larger than any before on that worker, used to add
// records built with the new set's schema beside them, and the reload after
// that freed that schema under them (the segfault seen under wrk). Each of
// these requests is larger than the last, and a reload lands in each: the
// answers must be those of a service that never reloaded (the pack's
// aggregates are unchanged by a reload of the same files, so their history
// carries on).
TEST(ServiceReload, ReloadsLandingMidRequestChangeNoAnswer) {
  const std::vector<std::string> lines = PackRecords();
  ASSERT_EQ(lines.size(), 500u);
  const std::size_t sizes[] = {1, 40, 100, 160, 199};

  std::string error;
  std::vector<std::string> issues;
  std::unique_ptr<Service> plain = Service::Create(PackOptions(), &error, &issues);
  ASSERT_TRUE(plain) << error;

  ServiceOptions o = PackOptions();
  Service* reloading = nullptr;
  bool armed = false;
  int reloads_answered = 0;
  o.after_read = [&] {
    if (!armed) return;
    if (reloading->Reload().result() == http::status::ok) ++reloads_answered;
  };
  std::unique_ptr<Service> service = Service::Create(o, &error, &issues);
  ASSERT_TRUE(service) << error;
  reloading = service.get();

  std::size_t from = 0;
  for (std::size_t n : sizes) {
    const Response want = Post(*plain, lines, from, n);
    const std::string before = service->fingerprint();
    const Response got = Post(*service, lines, from, n);
    ASSERT_EQ(want.result(), http::status::ok) << want.body();
    EXPECT_EQ(got.result(), http::status::ok) << got.body();
    EXPECT_EQ(got.body(), want.body()) << "records " << from << ".." << from + n;
    EXPECT_EQ(got["Targeting-Fingerprint"], before);
    from += n;
    armed = true;  // from the second request on, a reload lands in each
  }
  EXPECT_EQ(from, lines.size());
  EXPECT_EQ(reloads_answered, 4);
  EXPECT_EQ(service->metrics().reloads.load(), 4u);
  EXPECT_EQ(service->metrics().Totals().scored, lines.size());
}

}  // namespace
}  // namespace targeting::serve
