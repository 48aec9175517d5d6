// `targeting gen`: writes a reproducible synthetic corpus (SPEC section 7).
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "gen/gen.h"

namespace targeting::cli {
namespace {

std::optional<std::uint64_t> ParseU64(std::string_view s) {
  std::uint64_t v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> ParseRate(std::string_view s) {
  double v = 0;
  auto res = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || res.ec != std::errc() || res.ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "targeting gen: %s\n", message.c_str());
  return kExitUsage;
}

int RunGen(const Args& args) {
  gen::GenOptions options;
  if (args.has("records")) {
    auto n = ParseU64(args.get("records"));
    if (!n || *n < 1 || *n > gen::kMaxRecords) {
      return Usage("--records must be a whole number from 1 to " +
                   std::to_string(gen::kMaxRecords) + ", not '" + args.get("records") + "'");
    }
    options.records = *n;
  }
  if (args.has("seed")) {
    auto seed = ParseU64(args.get("seed"));
    if (!seed) {
      return Usage("--seed must be a whole number from 0 to 18446744073709551615, not '" +
                   args.get("seed") + "'");
    }
    options.seed = *seed;
  }
  if (args.has("sampling-rate")) {
    auto rate = ParseRate(args.get("sampling-rate"));
    if (!rate || *rate < 0 || *rate > 1) {
      return Usage("--sampling-rate must be a number from 0 to 1, not '" +
                   args.get("sampling-rate") + "'");
    }
    options.sampling_rate = *rate;
  }
  if (args.has("salt")) options.salt = args.get("salt");
  const std::string dir = args.get("output");
  if (dir.empty()) return Usage("-o DIR is required (the directory to write the corpus to)");

  const bool tty = isatty(fileno(stderr)) != 0 && !args.has("quiet");
  const auto start = std::chrono::steady_clock::now();
  if (tty) {
    options.progress = [start](std::uint64_t done, std::uint64_t total) {
      const double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "\rgen: %llu / %llu records (%3.0f%%), %.1f s",
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   100.0 * static_cast<double>(done) / static_cast<double>(total), secs);
      std::fflush(stderr);
    };
  }
  auto result = gen::WriteCorpus(dir, options);
  if (tty) std::fputc('\n', stderr);
  if (!result.ok()) {
    std::fprintf(stderr, "targeting gen: %s\n", result.status().message().c_str());
    return kExitUsage;
  }
  const gen::GenSummary& s = result.value();
  std::fprintf(stderr,
               "gen: wrote %llu records to %s (manifest.csv, manifest.jsonl); %llu outcome rows "
               "(%llu examined, %llu discrepant, %llu sampled) to outcomes.csv; truth.json\n",
               static_cast<unsigned long long>(s.records), dir.c_str(),
               static_cast<unsigned long long>(s.outcome_rows),
               static_cast<unsigned long long>(s.examined),
               static_cast<unsigned long long>(s.discrepant),
               static_cast<unsigned long long>(s.sampled));
  return kExitOk;
}

const bool kGenRegistered = RegisterCommand(Command{
    CommandSpec{
        "gen",
        "[--records N] [--seed S] -o DIR",
        "Write a reproducible synthetic corpus: manifests, exam outcomes and the ground truth.\n"
        "\n"
        "Writes DIR/manifest.csv and DIR/manifest.jsonl (the same records, in the built-in\n"
        "manifest schema), DIR/outcomes.csv (exam outcomes, SPEC section 6) and DIR/truth.json\n"
        "(the planted risk patterns with their true discrepancy rates and lifts, and which of\n"
        "the example pack's queries are truly predictive and which are noise). DIR is created\n"
        "when missing; those four files are replaced.\n"
        "\n"
        "Traffic is sea, air, express and mail, with tariff codes, ports and countries from\n"
        "the reference data in data/. Planted patterns (luxury goods via Hong Kong, airbags,\n"
        "brake pads, microchips, masks, fishing reels into one port, repeat violators, LED\n"
        "lighting, SDN-listed entities under variant names, the e-commerce split shipments,\n"
        "addresses with many shippers and shippers fanning out, and counterfeit cosmetics\n"
        "until 2026-07-01, after which the query aimed at them decays) raise the chance of\n"
        "a discrepancy by known factors over a low base rate.\n"
        "Exams are selected as a port would select them with the example pack in rules/: rule\n"
        "hits by lane, officers working their queries, tips, observation, and the random\n"
        "compliance sample (SPEC section 5), which is exactly the rows with identified_by\n"
        "random.\n"
        "\n"
        "The same options give the same bytes on every platform. Output is streamed, so memory\n"
        "stays flat however many records are written; progress is shown when standard error\n"
        "is a terminal.\n"
        "\n"
        "example:\n"
        "  targeting gen --records 1000000 --seed 7 -o /tmp/corpus\n"
        "  targeting backtest rules/ /tmp/corpus/manifest.csv --outcomes /tmp/corpus/outcomes.csv",
        {
            {"records", true, "N", "records to write, 1 to 9999999999 (default 10000)"},
            {"seed", true, "S", "seed, 0 to 2^64-1 (default 1)"},
            {"output", true, "DIR", "directory to write to (required)", 'o'},
            {"sampling-rate", true, "R",
             "random compliance sample rate (default 0.01, as rules/targeting.yaml)"},
            {"salt", true, "SALT", "sampling salt (default fy2026, as rules/targeting.yaml)"},
            {"quiet", false, "", "no progress on a terminal"},
        },
        0,
        0,
    },
    70,
    RunGen,
});

}  // namespace
}  // namespace targeting::cli
