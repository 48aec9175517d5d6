// `targeting gen` on the command line: exit codes, files written, determinism.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "file_util.h"

namespace {

namespace fs = std::filesystem;

int RunCli(const std::string& args, std::string* err = nullptr) {
  fs::path log = fs::temp_directory_path() / ("gen_cli_" + std::to_string(::getpid()) + ".err");
  std::string cmd = std::string(TARGETING_CLI) + " " + args + " 2>" + log.string() + " >/dev/null";
  int rc = std::system(cmd.c_str());
  if (err) {
    std::ifstream in(log);
    std::stringstream s;
    s << in.rdbuf();
    *err = s.str();
  }
  fs::remove(log);
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

using targeting::testing::Slurp;

fs::path TempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("gen_cli_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(d);
  return d;
}

TEST(GenCli, BadArgumentsExit2WithAReason) {
  std::string err;
  fs::path d = TempDir("bad");
  EXPECT_EQ(RunCli("gen --records abc -o " + d.string(), &err), 2);
  EXPECT_NE(err.find("--records"), std::string::npos) << err;
  EXPECT_EQ(RunCli("gen --records 0 -o " + d.string(), &err), 2);
  EXPECT_EQ(RunCli("gen --records -5 -o " + d.string(), &err), 2);
  EXPECT_EQ(RunCli("gen --records 10000000000 -o " + d.string(), &err), 2);
  EXPECT_EQ(RunCli("gen --records 10 --seed x -o " + d.string(), &err), 2);
  EXPECT_NE(err.find("--seed"), std::string::npos) << err;
  EXPECT_EQ(RunCli("gen --records 10 --sampling-rate 1.5 -o " + d.string(), &err), 2);
  EXPECT_EQ(RunCli("gen --records 10", &err), 2);
  EXPECT_NE(err.find("-o"), std::string::npos) << err;
  EXPECT_EQ(RunCli("gen --records 10 --bogus -o " + d.string(), &err), 2);
  EXPECT_EQ(RunCli("gen extra --records 10 -o " + d.string(), &err), 2);
  EXPECT_FALSE(fs::exists(d));
  // An output path that is a file.
  fs::path f = TempDir("file");
  std::ofstream(f) << "x";
  EXPECT_EQ(RunCli("gen --records 10 -o " + f.string(), &err), 2);
  EXPECT_NE(err.find("not a directory"), std::string::npos) << err;
  fs::remove(f);
}

TEST(GenCli, WritesFourFilesAndRepeatsByteForByte) {
  fs::path a = TempDir("a"), b = TempDir("b"), c = TempDir("c");
  ASSERT_EQ(RunCli("gen --records 2000 --seed 7 -o " + a.string()), 0);
  ASSERT_EQ(RunCli("gen --records 2000 --seed 7 -o " + b.string()), 0);
  ASSERT_EQ(RunCli("gen --records 2000 --seed 8 -o " + c.string()), 0);
  for (const char* name : {"manifest.csv", "manifest.jsonl", "outcomes.csv", "truth.json"}) {
    ASSERT_TRUE(fs::exists(a / name)) << name;
    EXPECT_EQ(Slurp(a / name), Slurp(b / name)) << name;
  }
  EXPECT_NE(Slurp(a / "manifest.csv"), Slurp(c / "manifest.csv"));
  // 2000 records and a header.
  std::string csv = Slurp(a / "manifest.csv");
  std::size_t lines = 0;
  for (char ch : csv) lines += ch == '\n';
  EXPECT_EQ(lines, 2001u);
  fs::remove_all(a);
  fs::remove_all(b);
  fs::remove_all(c);
}

TEST(GenCli, HelpExits0) {
  EXPECT_EQ(RunCli("gen --help"), 0);
}

}  // namespace
