#include "load/yaml_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "load/normalize.h"

namespace targeting::internal {

Result<std::string> ReadFileLimited(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status(StatusCode::kIoError, path + ": is a directory");
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    int err = errno;
    return Status(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                  path + ": " + std::strerror(err));
  }
  std::string text;
  char buf[1 << 16];
  for (;;) {
    std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    if (n > 0) {
      if (text.size() + n > max_bytes) {
        return Status(StatusCode::kLimitExceeded,
                      path + ": file is larger than the limit max_file_bytes=" +
                          std::to_string(max_bytes));
      }
      text.append(buf, n);
    }
    if (n < sizeof buf) {
      if (std::ferror(f.get())) return Status(StatusCode::kIoError, path + ": read error");
      break;
    }
  }
  return text;
}

namespace {

// Line and column (1-based, columns in bytes) of a byte offset.
void PositionOf(const std::string& text, std::size_t offset, int* line, int* column) {
  int l = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++l;
      line_start = i + 1;
    }
  }
  *line = l;
  *column = static_cast<int>(offset - line_start) + 1;
}

Issue MakeIssue(const std::string& file, int line, int column, std::string message) {
  Issue issue;
  issue.file = file;
  issue.line = line;
  issue.column = column;
  issue.message = std::move(message);
  return issue;
}

}  // namespace

std::optional<Issue> CheckText(const std::string& file, const std::string& text) {
  std::size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) {
    int line = 0, column = 0;
    PositionOf(text, bad, &line, &column);
    return MakeIssue(file, line, column, "invalid UTF-8 (a rule file must be UTF-8 text)");
  }
  std::size_t nul = text.find('\0');
  if (nul != std::string::npos) {
    int line = 0, column = 0;
    PositionOf(text, nul, &line, &column);
    return MakeIssue(file, line, column, "NUL byte in a text file");
  }
  return std::nullopt;
}

std::optional<YAML::Node> ParseYaml(const std::string& file, const std::string& text,
                                    std::vector<Issue>* issues, bool* empty) {
  *empty = false;
  if (auto issue = CheckText(file, text)) {
    issues->push_back(*issue);
    return std::nullopt;
  }
  std::vector<YAML::Node> docs;
  if (text.empty()) {
    *empty = true;
    return YAML::Node();
  }
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg.empty() ? std::string("malformed YAML") : e.msg;
    // yaml-cpp's depth guard (YAML::DeepRecursion, not exported) reports
    // nesting beyond 2000 levels as "bad file".
    if (msg == YAML::ErrorMsg::BAD_FILE) msg = "nesting is too deep (the parser stops at 2000 levels)";
    // The commonest cause of a baffling parse error is a tab in indentation.
    std::size_t tab = text[0] == '\t' ? 0 : text.find("\n\t");
    if (tab != std::string::npos) {
      int line = 0, column = 0;
      PositionOf(text, tab == 0 ? 0 : tab + 1, &line, &column);
      issues->push_back(MakeIssue(file, line, column,
                                  "YAML: a tab indents this line; YAML indents with spaces only (" +
                                      msg + ")"));
      return std::nullopt;
    }
    issues->push_back(MakeIssue(file, e.mark.is_null() ? 0 : e.mark.line + 1,
                                e.mark.is_null() ? 0 : e.mark.column + 1, "YAML: " + msg));
    return std::nullopt;
  } catch (const std::exception& e) {
    issues->push_back(MakeIssue(file, 0, 0, std::string("YAML: ") + e.what()));
    return std::nullopt;
  }
  if (docs.size() > 1) {
    issues->push_back(MakeIssue(file, LineOf(docs[1]), ColumnOf(docs[1]),
                                "the file holds " + std::to_string(docs.size()) +
                                    " YAML documents; a rule-set file holds exactly one"));
    return std::nullopt;
  }
  if (docs.empty() || docs[0].IsNull()) {
    *empty = true;
    return docs.empty() ? YAML::Node() : docs[0];
  }
  return docs[0];
}

}  // namespace targeting::internal
