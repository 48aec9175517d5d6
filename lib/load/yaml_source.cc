#include "load/yaml_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <sstream>

#include "load/normalize.h"

namespace targeting::internal {

Result<std::string> ReadFileLimited(const std::string& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    int err = errno;
    return Status(err == ENOENT ? StatusCode::kNotFound : StatusCode::kIoError,
                  path + ": " + std::strerror(err));
  }
  std::unique_ptr<int, void (*)(int*)> closer(&fd, [](int* f) { ::close(*f); });
  // Only regular files: a directory cannot be read, and a FIFO, a socket or
  // a device (/dev/zero, /dev/stdin on a terminal) may never end.
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return Status(StatusCode::kIoError, path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) return Status(StatusCode::kIoError, path + ": is a directory");
  if (!S_ISREG(st.st_mode)) {
    return Status(StatusCode::kIoError,
                  path + ": not a regular file (rule, list and schema files must be files)");
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string text;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kIoError, path + ": read error: " + std::strerror(errno));
    }
    if (n == 0) break;
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) {
      return Status(StatusCode::kLimitExceeded,
                    path + ": file is larger than the limit max_file_bytes=" +
                        std::to_string(max_bytes));
    }
    text.append(buf, static_cast<std::size_t>(n));
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

// Counts the documents of a YAML stream without building them, and notices
// when yaml-cpp stops making progress: a stray ',' at the top level is never
// consumed, so Parser::HandleNextDocument (and YAML::LoadAll, which loops on
// it) would return empty documents at the same place for ever.
class DocumentCounter final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    starts.push_back(mark);
    roots.push_back(mark);
    in_root_ = false;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Node(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Node(mark);
  }
  void OnMapEnd() override {}

  std::vector<YAML::Mark> starts;  // where each document starts (its first token)
  std::vector<YAML::Mark> roots;   // where each document's root node is

 private:
  void Node(const YAML::Mark& mark) {
    if (!in_root_ && !roots.empty()) roots.back() = mark;
    in_root_ = true;
  }
  bool in_root_ = false;
};

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

namespace {

// Runs the parser over every document of `text` with `handler` (which keeps
// `starts` and `roots`, as DocumentCounter does), then `finish(doc_count)`.
// false after appending the issue: a parse error, a stream that stops making
// progress, or several documents.
template <typename Handler, typename Finish>
bool RunParser(const std::string& file, const std::string& text, Handler& handler,
               std::vector<Issue>* issues, std::size_t* doc_count, Finish finish) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(handler)) {
      const std::size_t n = handler.starts.size();
      if (n >= 2 && handler.starts[n - 1].pos == handler.starts[n - 2].pos) {
        const YAML::Mark& at = handler.starts[n - 1];
        const auto pos = static_cast<std::size_t>(at.pos);
        std::string what = pos < text.size() ? "'" + text.substr(pos, 1) + "'" : "end of input";
        issues->push_back(MakeIssue(file, at.line + 1, at.column + 1,
                                    "YAML: unexpected " + what + " (a ',' belongs inside [ ] or { })"));
        return false;
      }
    }
    *doc_count = handler.starts.size();
    if (*doc_count > 1) {
      const YAML::Mark& second = handler.roots[1];
      issues->push_back(MakeIssue(file, second.line + 1, second.column + 1,
                                  "the file holds " + std::to_string(*doc_count) +
                                      " YAML documents; a rule-set file holds exactly one"));
      return false;
    }
    finish(*doc_count);
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
      return false;
    }
    issues->push_back(MakeIssue(file, e.mark.is_null() ? 0 : e.mark.line + 1,
                                e.mark.is_null() ? 0 : e.mark.column + 1, "YAML: " + msg));
    return false;
  } catch (const std::exception& e) {
    issues->push_back(MakeIssue(file, 0, 0, std::string("YAML: ") + e.what()));
    return false;
  }
  return true;
}

}  // namespace

std::optional<YAML::Node> ParseYaml(const std::string& file, const std::string& text,
                                    std::vector<Issue>* issues, bool* empty) {
  *empty = false;
  if (auto issue = CheckText(file, text)) {
    issues->push_back(*issue);
    return std::nullopt;
  }
  if (text.empty()) {
    *empty = true;
    return YAML::Node();
  }
  YAML::Node doc;
  std::size_t doc_count = 0;
  DocumentCounter counter;
  if (!RunParser(file, text, counter, issues, &doc_count, [&](std::size_t n) {
        if (n == 1) doc = YAML::Load(text);
      })) {
    return std::nullopt;
  }
  if (doc_count == 0 || doc.IsNull()) {
    *empty = true;
    return doc_count == 0 ? YAML::Node() : doc;
  }
  return doc;
}

std::optional<ytree::Node> ParseYamlTree(const std::string& file, const std::string& text,
                                         std::vector<Issue>* issues, bool* empty,
                                         ytree::Tree* tree) {
  *empty = false;
  if (auto issue = CheckText(file, text)) {
    issues->push_back(*issue);
    return std::nullopt;
  }
  if (text.empty()) {
    *empty = true;
    return ytree::Node();
  }
  // One pass: the first document is built while every document is counted.
  ytree::TreeBuilder builder(tree);
  std::size_t doc_count = 0;
  if (!RunParser(file, text, builder, issues, &doc_count, [](std::size_t) {})) {
    return std::nullopt;
  }
  if (doc_count == 0 || !builder.built_root()) {
    *empty = true;
    return ytree::Node();
  }
  ytree::Node doc(tree, tree->root);
  if (doc.IsNull()) *empty = true;
  return doc;
}

}  // namespace targeting::internal
