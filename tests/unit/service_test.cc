// The service without the network: what a reload landing in the middle of a
// /v1/score request does to it (lib/serve/service.cc). The HTTP behaviour is
// tested end to end by tests/serve/serve_test.py.
#include "serve/service.h"

#include <gtest/gtest.h>

#include <filesystem>
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

// A reload that changes the schema while a request is being read: the
// request's records were read for fields the new set does not have, so each
// is answered with an error in its place (not scored on the wrong layout,
// not dropped), and the next request is read and scored on the new set.
TEST(ServiceReload, ASchemaChangingReloadMidRequestRejectsEachRecordInPlace) {
  const std::filesystem::path dir = testing::FreshDir("schema-reload");
  const auto write_set = [&](bool with_port) {
    testing::WriteFile(dir / "targeting.yaml", "schema: {file: s.yaml}\n");
    testing::WriteFile(dir / "s.yaml", std::string("record_id: id\ndate_field: day\nfields:\n  id: string\n"
                                                   "  day: date\n  who: name\n") +
                                           (with_port ? "  port: code\n" : ""));
    testing::WriteFile(dir / "r.yaml",
                       "rules:\n  - id: A\n    when: {aggregate: {by: who, days: 1, count: {ge: 2}}}\n");
  };
  write_set(false);
  ServiceOptions o;
  o.rules_path = dir.string();
  o.as_of = 20'454;
  Service* self = nullptr;
  bool armed = false;
  o.after_read = [&] {
    if (!armed) return;
    armed = false;
    write_set(true);
    EXPECT_EQ(self->Reload().result(), http::status::ok);
  };
  std::string error;
  std::vector<std::string> issues;
  std::unique_ptr<Service> service = Service::Create(o, &error, &issues);
  ASSERT_TRUE(service) << error;
  self = service.get();
  const std::vector<std::string> lines = {
      R"({"id":"r1","day":"2026-01-01","who":"ACME"})",
      R"({"id":"r2","day":"2026-01-01","who":"ACME"})",
      R"({"id":"r3","day":"2026-01-01","who":"ACME"})",
  };
  const std::string before = service->fingerprint();
  Response first = Post(*service, lines, 0, 1);
  ASSERT_EQ(first.result(), http::status::ok) << first.body();
  EXPECT_EQ(first.body(), "{\"record_id\":\"r1\",\"score\":0,\"lane\":\"green\",\"sampled\":false,\"fired\":[]}\n");

  armed = true;
  Response moved = Post(*service, lines, 1, 2);
  EXPECT_EQ(moved.result(), http::status::ok);
  EXPECT_EQ(moved["Targeting-Fingerprint"], before);
  const std::string again = "the rules were reloaded with a different schema while this request was read; send it again";
  EXPECT_EQ(moved.body(), "{\"record_id\":\"r2\",\"error\":{\"position\":1,\"reason\":\"" + again +
                              "\"}}\n{\"record_id\":\"r3\",\"error\":{\"position\":2,\"reason\":\"" + again +
                              "\"}}\n");
  EXPECT_NE(service->fingerprint(), before);
  EXPECT_EQ(service->metrics().Totals().rejected, 2u);

  // Sent again: read on the new schema, and the stream (which started empty
  // with the new schema) counts them.
  Response resent = Post(*service, lines, 1, 2);
  EXPECT_EQ(resent.result(), http::status::ok) << resent.body();
  EXPECT_EQ(resent["Targeting-Fingerprint"], service->fingerprint());
  EXPECT_EQ(resent.body().find("\"error\""), std::string::npos) << resent.body();
  EXPECT_NE(resent.body().find("\"record_id\":\"r3\",\"score\":0,\"lane\":\"green\",\"sampled\":false,"
                               "\"fired\":[{\"id\":\"A\""),
            std::string::npos)
      << resent.body();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace targeting::serve
