// Golden-file comparison: actual output against a checked-in expected file.
// With TARGETING_UPDATE_GOLDEN=1 the expected file is rewritten instead (read
// the diff before committing it: expected files are reviewed by hand).
#ifndef TARGETING_TESTS_GOLDEN_GOLDEN_UTIL_H_
#define TARGETING_TESTS_GOLDEN_GOLDEN_UTIL_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace targeting::testing {

inline std::string GoldenDir(const std::string& sub) {
  return std::string(TARGETING_SOURCE_DIR) + "/tests/golden/" + sub;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Files in `dir` whose name ends with `ext`, sorted.
inline std::vector<std::string> FilesWithExtension(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
      out.push_back(name);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline void ExpectGolden(const std::string& expected_path, const std::string& actual) {
  const char* update = std::getenv("TARGETING_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(expected_path)) << "missing golden file " << expected_path;
  EXPECT_EQ(ReadAll(expected_path), actual) << "golden mismatch: " << expected_path;
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_GOLDEN_GOLDEN_UTIL_H_
