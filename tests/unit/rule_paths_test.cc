// Rule sets on disk that are hostile as files: FIFOs, devices, dangling and
// looping symbolic links, directories where files belong, unreadable parts.
// Each is an error that names the path, never a hang and never rules silently
// left out.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "test_util.h"
#include "targeting/rules.h"

namespace targeting {
namespace {

namespace fs = std::filesystem;

const char* kRule = "rules:\n  - {id: R1, when: {mode: SEA}}\n";

using testing::FreshDir;
using testing::WriteFile;
// Compiles `path`, which must fail within seconds with a status whose
// message contains `needle`.
void ExpectStatus(const fs::path& path, const std::string& needle) {
  const auto start = std::chrono::steady_clock::now();
  CompileResult r = CompilePath(path.string());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(r.ok()) << path;
  EXPECT_FALSE(r.status.ok()) << path;
  EXPECT_NE(r.status.message().find(needle), std::string::npos) << r.status.message();
}

std::string ErrorText(const CompileResult& r) {
  std::string s;
  for (const Issue& i : r.issues) s += i.ToString() + "\n";
  return s;
}

TEST(RulePaths, FifoAndDeviceAreNotRuleFiles) {
  fs::path d = FreshDir("paths-fifo");
  ASSERT_EQ(::mkfifo((d / "rules.yaml").c_str(), 0600), 0);
  ExpectStatus(d / "rules.yaml", "not a regular file");
  ExpectStatus("/dev/zero", "not a regular file");
  // In a directory too: read as a rule file, and refused.
  fs::path dir = FreshDir("paths-fifo-dir");
  WriteFile(dir / "a.yaml", kRule);
  ASSERT_EQ(::mkfifo((dir / "b.yaml").c_str(), 0600), 0);
  ExpectStatus(dir, "b.yaml: not a regular file");
  fs::remove_all(d);
  fs::remove_all(dir);
}

TEST(RulePaths, DanglingAndLoopingLinks) {
  fs::path d = FreshDir("paths-links");
  WriteFile(d / "a.yaml", kRule);
  fs::create_symlink("nowhere.yaml", d / "b.yaml");
  ExpectStatus(d, "b.yaml: No such file or directory");
  fs::remove(d / "b.yaml");
  fs::create_symlink("c.yaml", d / "b.yaml");
  fs::create_symlink("b.yaml", d / "c.yaml");
  ExpectStatus(d, "Too many levels of symbolic links");
  ExpectStatus(d / "b.yaml", "Too many levels of symbolic links");
  fs::remove_all(d);
  // A dangling targeting.yaml is not "all defaults".
  fs::path t = FreshDir("paths-links-config");
  WriteFile(t / "a.yaml", kRule);
  fs::create_symlink("gone.yaml", t / "targeting.yaml");
  ExpectStatus(t, "targeting.yaml");
  fs::remove_all(t);
}

TEST(RulePaths, DirectoryLinksAreNotFollowedButSaySo) {
  fs::path d = FreshDir("paths-dirlink");
  WriteFile(d / "a.yaml", kRule);
  fs::create_directories(d / "sub");
  fs::create_directory_symlink("..", d / "sub" / "up");  // a loop
  ExpectStatus(d, "sub/up: a symbolic link to a directory is not followed");
  fs::remove_all(d);
}

TEST(RulePaths, DirectoryNamedYamlIsADirectory) {
  fs::path d = FreshDir("paths-dir-yaml");
  fs::create_directories(d / "x.yaml");
  WriteFile(d / "x.yaml" / "inner.yaml", kRule);
  CompileResult r = CompilePath(d.string());
  EXPECT_TRUE(r.ok()) << r.status.message() << ErrorText(r);
  if (r.ok()) {
    EXPECT_EQ(r.rule_set->entries().size(), 1u);
  }
  fs::remove_all(d);
}

TEST(RulePaths, ListAndSchemaFilesThatAreNotFiles) {
  fs::path d = FreshDir("paths-lists");
  fs::create_directories(d / "lists");
  ASSERT_EQ(::mkfifo((d / "fifo.txt").c_str(), 0600), 0);
  WriteFile(d / "targeting.yaml",
        "lists:\n  a: {file: lists}\n  b: {file: fifo.txt}\n  c: {file: /dev/zero}\n");
  WriteFile(d / "r.yaml", "rules:\n  - {id: R1, when: {importer_id: {in: {list: a}}}}\n");
  CompileResult r = CompilePath(d.string());
  EXPECT_FALSE(r.ok());
  const std::string text = ErrorText(r);
  EXPECT_NE(text.find("cannot read list file: " + (d / "lists").string() + ": is a directory"),
            std::string::npos) << text;
  EXPECT_NE(text.find("fifo.txt: not a regular file"), std::string::npos) << text;
  EXPECT_NE(text.find("/dev/zero: not a regular file"), std::string::npos) << text;
  WriteFile(d / "targeting.yaml", "schema: {file: lists}\n");
  r = CompilePath(d.string());
  EXPECT_NE(ErrorText(r).find("cannot read schema file"), std::string::npos) << ErrorText(r);
  fs::remove_all(d);
}

TEST(RulePaths, UnreadablePartsAreErrors) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  fs::path d = FreshDir("paths-unreadable");
  WriteFile(d / "a.yaml", kRule);
  fs::create_directories(d / "locked");
  WriteFile(d / "locked" / "b.yaml", kRule);
  fs::permissions(d / "locked", fs::perms::none);
  ExpectStatus(d, "Permission denied");
  fs::permissions(d / "locked", fs::perms::owner_all);
  fs::permissions(d / "locked" / "b.yaml", fs::perms::none);
  ExpectStatus(d, "b.yaml: Permission denied");
  fs::permissions(d / "locked" / "b.yaml", fs::perms::owner_all);
  fs::remove_all(d);
}

}  // namespace
}  // namespace targeting
