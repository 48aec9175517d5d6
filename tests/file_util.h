// File helpers shared by every kind of test: read a whole file, write one,
// and make a fresh temporary directory.
#ifndef TARGETING_TESTS_FILE_UTIL_H_
#define TARGETING_TESTS_FILE_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace targeting::testing {

// The whole file; "" when it cannot be read.
inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

// A fresh, empty directory under the temporary directory, unique per call
// (process id and a counter); the caller removes it.
inline std::filesystem::path FreshDir(const std::string& name) {
  static std::atomic<int> counter{0};
  const auto d = std::filesystem::temp_directory_path() /
                 ("targeting-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                  "-" + name);
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace targeting::testing

#endif  // TARGETING_TESTS_FILE_UTIL_H_
