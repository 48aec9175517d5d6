#include "load/yaml_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <algorithm>
#include <iterator>
#include <sstream>
#include <string_view>
#include <system_error>
#include <thread>

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
  // The size the file has now (it may still change while read): one
  // allocation of the right size rather than doubling to up to twice it.
  if (st.st_size > 0 && static_cast<std::uint64_t>(st.st_size) <= max_bytes) {
    text.reserve(static_cast<std::size_t>(st.st_size));
  }
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

// A read-only istream buffer over bytes that outlive it (no copy).
class ViewBuf final : public std::streambuf {
 public:
  ViewBuf(const char* begin, const char* end) {
    char* b = const_cast<char*>(begin);  // never written: no put area
    setg(b, b, const_cast<char*>(end));
  }
};

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
bool RunParserOn(const std::string& file, const std::string& text, std::istream& in,
                 Handler& handler, std::vector<Issue>* issues, std::size_t* doc_count,
                 Finish finish) {
  try {
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

template <typename Handler, typename Finish>
bool RunParser(const std::string& file, const std::string& text, Handler& handler,
               std::vector<Issue>* issues, std::size_t* doc_count, Finish finish) {
  ViewBuf buf(text.data(), text.data() + text.size());
  std::istream in(&buf);
  return RunParserOn(file, text, in, handler, issues, doc_count, finish);
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

unsigned CompileThreads(unsigned requested) {
  if (requested > 0) return std::min(requested, 64u);
  const unsigned hw = std::thread::hardware_concurrency();
  return std::clamp(hw, 1u, 8u);
}

namespace {


// Where the pieces of a cut file start: offsets of lines that begin an item
// of the block sequence under a top-level `rules:` line, spread evenly by
// bytes. Empty when the file does not have that shape.
std::vector<std::size_t> CutPoints(std::string_view text, std::size_t pieces,
                                   std::size_t* indent) {
  std::vector<std::size_t> cuts;
  // A BOM shifts yaml-cpp's positions; directives would apply to every piece.
  if (text.substr(0, 3) == "\xEF\xBB\xBF" || text.empty() || text[0] == '%') return cuts;
  std::size_t at = std::string_view::npos;
  for (std::size_t line = 0; line < text.size();) {
    std::size_t nl = text.find('\n', line);
    std::string_view l = text.substr(line, nl == std::string_view::npos ? text.size() - line : nl - line);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.substr(0, 6) == "rules:") {
      std::string_view rest = l.substr(6);
      std::size_t k = rest.find_first_not_of(' ');
      if (k == std::string_view::npos || rest[k] == '#') {
        at = nl == std::string_view::npos ? text.size() : nl + 1;
        break;
      }
      return cuts;  // `rules: [...]` or a value on the line: not a block sequence
    }
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  if (at == std::string_view::npos) return cuts;
  // The first line with content after `rules:` sets the items' indent.
  std::size_t k = std::string_view::npos;
  for (std::size_t line = at; line < text.size();) {
    std::size_t nl = text.find('\n', line);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::size_t first = text.find_first_not_of(' ', line);
    if (first < end && text[first] != '#' && text[first] != '\r') {
      if (text[first] != '-' || first + 1 >= text.size() ||
          (text[first + 1] != ' ' && text[first + 1] != '\n' && text[first + 1] != '\r')) {
        return cuts;
      }
      k = first - line;
      break;
    }
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  if (k == std::string_view::npos) return cuts;
  *indent = k;
  const std::size_t step = text.size() / pieces;
  for (std::size_t p = 1; p < pieces; ++p) {
    std::size_t from = std::max(p * step, cuts.empty() ? at : cuts.back() + 1);
    // The next line that starts with k spaces and "- " (or "-" alone).
    std::size_t line = text.find('\n', from == 0 ? 0 : from - 1);
    while (line != std::string_view::npos) {
      const std::size_t s0 = line + 1;
      if (s0 + k < text.size() && text.compare(s0, k, std::string(k, ' ')) == 0 &&
          text[s0 + k] == '-' &&
          (s0 + k + 1 == text.size() || text[s0 + k + 1] == ' ' || text[s0 + k + 1] == '\n' ||
           text[s0 + k + 1] == '\r')) {
        break;
      }
      line = text.find('\n', s0);
    }
    if (line == std::string_view::npos) break;
    cuts.push_back(line + 1);
  }
  return cuts;
}

struct Piece {
  std::size_t begin = 0, end = 0;
  ytree::Tree tree;
  bool ok = false;
  int line_offset = 0;
};

void ParsePiece(const std::string& file, const std::string& text, Piece* piece) {
  ViewBuf buf(text.data() + piece->begin, text.data() + piece->end);
  std::istream in(&buf);
  std::vector<Issue> issues;
  ytree::TreeBuilder builder(&piece->tree);
  std::size_t docs = 0;
  // RunParser takes the text only for messages; a piece with any issue is
  // discarded, so the whole text serves.
  piece->ok = RunParserOn(file, text, in, builder, &issues, &docs, [](std::size_t) {}) &&
              issues.empty() && docs == 1 && builder.built_root();
  // A node marked at the end of the piece (an empty value before the cut)
  // takes its mark from what follows the cut in the whole file.
  if (piece->ok && piece->end < text.size()) {
    const auto size = static_cast<std::int64_t>(piece->end - piece->begin);
    std::int64_t last_scalar = -1;
    for (const ytree::Tree::Rec& r : piece->tree.nodes) {
      if (r.pos >= size) piece->ok = false;
      if (r.kind == ytree::Kind::kScalar) last_scalar = std::max<std::int64_t>(last_scalar, r.pos);
    }
    // yaml-cpp ends a quoted scalar left open at the end of the input without
    // an error: the last scalar of the piece, if quoted, must close in it.
    if (piece->ok && last_scalar >= 0) {
      std::string_view body(text.data() + piece->begin, piece->end - piece->begin);
      const auto at = static_cast<std::size_t>(last_scalar);
      const char c = body[at];
      if (c == '"') {
        std::size_t i = at + 1;
        while (i < body.size() && body[i] != '"') i += body[i] == '\\' ? 2 : 1;
        piece->ok = i < body.size();
      } else if (c == '\'') {
        std::size_t i = at + 1;
        for (; i < body.size(); ++i) {
          if (body[i] != '\'') continue;
          if (i + 1 < body.size() && body[i + 1] == '\'') {
            ++i;
            continue;
          }
          break;
        }
        piece->ok = i < body.size();
      } else if (c == '!' || c == '&' || c == '*') {
        piece->ok = false;  // a tag or an anchor before it: not worth reading
      }
    }
  }
}

// Cuts, parses on threads and joins; false when the cut is not kept.
bool ParseCut(const std::string& file, const std::string& text, unsigned threads,
              ytree::Tree* tree) {
  std::size_t indent = 0;
  std::vector<std::size_t> cuts = CutPoints(text, threads, &indent);
  if (cuts.empty()) return false;
  std::vector<Piece> pieces(cuts.size() + 1);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    pieces[i].begin = i == 0 ? 0 : cuts[i - 1];
    pieces[i].end = i < cuts.size() ? cuts[i] : text.size();
  }
  int lines = 0;
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    lines += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(pieces[i - 1].begin),
                                         text.begin() + static_cast<std::ptrdiff_t>(pieces[i - 1].end), '\n'));
    pieces[i].line_offset = lines;
  }
  std::vector<std::thread> workers;
  try {
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      workers.emplace_back(ParsePiece, std::cref(file), std::cref(text), &pieces[i]);
    }
  } catch (const std::system_error&) {
    for (std::thread& w : workers) w.join();
    return false;
  }
  ParsePiece(file, text, &pieces[0]);
  for (std::thread& w : workers) w.join();
  for (const Piece& p : pieces) {
    if (!p.ok) return false;
  }
  // The first piece: a mapping whose last key is `rules`, a sequence at the
  // items' indent. The others: a sequence at that indent on their first line.
  ytree::Tree& t0 = pieces[0].tree;
  const ytree::Tree::Rec& root0 = t0.nodes[t0.root];
  if (root0.kind != ytree::Kind::kMap || root0.count < 2) return false;
  const std::uint32_t key0 = t0.kids[root0.value + root0.count - 2];
  const std::uint32_t seq0 = t0.kids[root0.value + root0.count - 1];
  if (t0.nodes[key0].kind != ytree::Kind::kScalar || t0.scalar(t0.nodes[key0].value) != "rules" ||
      t0.nodes[seq0].kind != ytree::Kind::kSequence ||
      t0.nodes[seq0].column != static_cast<int>(indent)) {
    return false;
  }
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const ytree::Tree& t = pieces[i].tree;
    const ytree::Tree::Rec& r = t.nodes[t.root];
    if (r.kind != ytree::Kind::kSequence || r.line != 0 || r.column != static_cast<int>(indent)) {
      return false;
    }
  }
  // Join: every piece's nodes, children and scalars after the first's, with
  // marks moved to where the piece sits in the file, and the items of the
  // `rules` sequence laid out again in one run.
  *tree = std::move(t0);
  // Joined into storage of the final size: grown by doubling, the node and
  // scalar arrays of a 100k-rule file held up to twice what they need.
  {
    std::size_t nodes = tree->nodes.size(), kids = tree->kids.size(), scalars = tree->ends.size(),
                chars = tree->chars.size();
    for (std::size_t i = 1; i < pieces.size(); ++i) {
      const ytree::Tree& t = pieces[i].tree;
      nodes += t.nodes.size();
      kids += t.kids.size() + t.nodes[t.root].count;
      scalars += t.ends.size();
      chars += t.chars.size();
    }
    tree->nodes.reserve(nodes);
    tree->kids.reserve(kids + tree->nodes[seq0].count);
    tree->ends.reserve(scalars);
    tree->chars.reserve(chars);
  }
  std::vector<std::uint32_t> items(tree->kids.begin() + tree->nodes[seq0].value,
                                   tree->kids.begin() + tree->nodes[seq0].value +
                                       tree->nodes[seq0].count);
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    ytree::Tree& t = pieces[i].tree;
    const auto node_base = static_cast<std::uint32_t>(tree->nodes.size());
    const auto kid_base = static_cast<std::uint32_t>(tree->kids.size());
    const auto scalar_base = static_cast<std::uint32_t>(tree->ends.size());
    const std::uint64_t char_base = tree->chars.size();
    const auto pos_base = static_cast<std::int32_t>(pieces[i].begin);
    for (ytree::Tree::Rec r : t.nodes) {
      r.value += r.kind == ytree::Kind::kScalar ? scalar_base
                 : r.kind == ytree::Kind::kNull ? 0
                                                 : kid_base;
      r.pos += pos_base;
      r.line += pieces[i].line_offset;
      tree->nodes.push_back(r);
    }
    for (std::uint32_t k : t.kids) tree->kids.push_back(k + node_base);
    tree->chars.append(t.chars);
    for (std::uint64_t e : t.ends) tree->ends.push_back(e + char_base);
    const ytree::Tree::Rec& r = t.nodes[t.root];
    for (std::uint32_t c = 0; c < r.count; ++c) items.push_back(t.kids[r.value + c] + node_base);
    t = ytree::Tree();
  }
  tree->nodes[seq0].value = static_cast<std::uint32_t>(tree->kids.size());
  tree->nodes[seq0].count = static_cast<std::uint32_t>(items.size());
  tree->kids.insert(tree->kids.end(), items.begin(), items.end());
  // The first piece's arrays, grown by doubling, may already hold more
  // than the whole.
  tree->ShrinkToFit();
  return true;
}

}  // namespace

std::optional<ytree::Node> ParseYamlTree(const std::string& file, const std::string& text,
                                         std::vector<Issue>* issues, bool* empty,
                                         ytree::Tree* tree, unsigned threads,
                                         std::size_t min_piece_bytes) {
  *empty = false;
  if (auto issue = CheckText(file, text)) {
    issues->push_back(*issue);
    return std::nullopt;
  }
  if (text.empty()) {
    *empty = true;
    return ytree::Node();
  }
  // Pieces of at least min_piece_bytes on several threads, when the file allows.
  const unsigned pieces = static_cast<unsigned>(
      std::min<std::size_t>(threads, text.size() / std::max<std::size_t>(min_piece_bytes, 1)));
  if (pieces > 1 && ParseCut(file, text, pieces, tree)) return ytree::Node(tree, tree->root);
  *tree = ytree::Tree();
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
  tree->ShrinkToFit();
  ytree::Node doc(tree, tree->root);
  if (doc.IsNull()) *empty = true;
  return doc;
}

}  // namespace targeting::internal
