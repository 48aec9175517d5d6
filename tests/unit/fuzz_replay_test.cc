// Replays every seed input and every kept crash input of the fuzz targets
// (tests/fuzz/corpus/TARGET/ and tests/fuzz/regressions/TARGET/) through the
// same entry function the libFuzzer binary calls, so CI runs them without
// clang. A crash input that crashes again takes this test binary down with it,
// under the sanitizer build too: that is the point.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "file_util.h"
#include "fuzz/fuzz_entries.h"

namespace targeting::fuzz {

// gtest names each case by its target.
void PrintTo(const Target& target, std::ostream* os) { *os << target.name; }

namespace {

namespace fs = std::filesystem;

using targeting::testing::Slurp;

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FuzzReplay : public ::testing::TestWithParam<Target> {};

void Replay(const Target& target, const std::string& kind, bool must_exist) {
  const fs::path dir = fs::path(TARGETING_SOURCE_DIR) / "tests/fuzz" / kind / target.name;
  const std::vector<fs::path> files = FilesIn(dir);
  if (must_exist) {
    EXPECT_FALSE(files.empty()) << "no seed inputs in " << dir;
  }
  for (const fs::path& file : files) {
    const auto start = std::chrono::steady_clock::now();
    const std::string broken = target.entry(Slurp(file));
    EXPECT_EQ(broken, "") << file;
    // A guard against a hang coming back, not a speed test.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30)) << file;
  }
}

TEST_P(FuzzReplay, SeedCorpus) { Replay(GetParam(), "corpus", true); }

TEST_P(FuzzReplay, Regressions) { Replay(GetParam(), "regressions", false); }

INSTANTIATE_TEST_SUITE_P(Targets, FuzzReplay, ::testing::ValuesIn(Targets()),
                         [](const ::testing::TestParamInfo<Target>& target) {
                           return std::string(target.param.name);
                         });

}  // namespace
}  // namespace targeting::fuzz
