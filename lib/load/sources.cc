#include "load/sources.h"

#include <algorithm>
#include <filesystem>

#include "load/yaml_source.h"

namespace targeting::internal {

namespace fs = std::filesystem;

namespace {

std::string Resolve(const std::string& referrer, const std::string& relative) {
  fs::path rel(relative);
  if (rel.is_absolute()) return rel.generic_string();
  fs::path base = fs::path(referrer).parent_path();
  return (base / rel).lexically_normal().generic_string();
}

}  // namespace

std::string PathKey(const std::string& path) {
  return fs::path(path).lexically_normal().generic_string();
}

void SourceSet::Add(std::string name, std::string text, SourceRole role) {
  std::string key = PathKey(name);
  sources.push_back(Source{std::move(name), std::move(text), role, std::move(key)});
}

const Source* SourceSet::FindData(const std::string& key) const {
  for (const Source& s : sources) {
    if (s.role == SourceRole::kData && s.key == key) return &s;
  }
  return nullptr;
}

Result<std::string> SourceSet::ReadReferenced(const std::string& referrer,
                                              const std::string& relative,
                                              std::string* shown) const {
  std::string path = Resolve(referrer, relative);
  *shown = path;
  if (const Source* s = FindData(PathKey(path))) return s->text;
  return ReadFileLimited(path, options.limits.max_file_bytes);
}

Status SourceSet::AddPath(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    const bool missing = !ec || ec == std::errc::no_such_file_or_directory;
    Status s(missing ? StatusCode::kNotFound : StatusCode::kIoError,
             path + ": " + (missing ? std::string("no such file or directory") : ec.message()));
    if (status.ok()) status = s;
    return s;
  }
  auto add_file = [&](const std::string& file, SourceRole role) -> Status {
    auto text = ReadFileLimited(file, options.limits.max_file_bytes);
    if (!text.ok()) {
      if (status.ok()) status = text.status();
      return text.status();
    }
    Add(file, std::move(text).value(), role);
    return Status::Ok();
  };
  if (!fs::is_directory(st)) return add_file(path, SourceRole::kSingle);

  fs::path root(path);
  fs::path config = root / "targeting.yaml";
  // symlink_status: a dangling targeting.yaml is an error, not all defaults.
  if (fs::exists(fs::symlink_status(config, ec))) {
    if (Status s = add_file(config.generic_string(), SourceRole::kConfig); !s.ok()) return s;
  }
  auto fail = [&](Status s) {
    if (status.ok()) status = s;
    return s;
  };
  std::vector<std::string> rels;
  // A directory that cannot be read is an error, not rules silently missing.
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return fail(Status(StatusCode::kIoError, path + ": " + ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    std::error_code entry_ec;
    const bool is_dir = it->is_directory(entry_ec);
    if (!name.empty() && name[0] == '.') {
      if (is_dir) it.disable_recursion_pending();
      continue;
    }
    if (is_dir) {
      // Symbolic links to directories are not followed, so a link cannot lead
      // the walk round a loop; say so rather than leave their rules out.
      if (it->is_symlink(entry_ec)) {
        return fail(Status(StatusCode::kIoError,
                           p.generic_string() + ": a symbolic link to a directory is not followed "
                                                "in a rule-set directory"));
      }
      continue;
    }
    std::string ext = p.extension().string();
    if (ext != ".yaml" && ext != ".yml") continue;
    std::string rel = p.lexically_relative(root).generic_string();
    if (rel == "targeting.yaml") continue;
    // Whatever else is named *.yaml is read below, so a dangling link, a FIFO
    // or an unreadable file fails the load with its reason.
    rels.push_back(rel);
  }
  if (ec) return fail(Status(StatusCode::kIoError, path + ": " + ec.message()));
  std::sort(rels.begin(), rels.end());  // byte order of relative paths
  for (const std::string& rel : rels) {
    if (Status s = add_file((root / rel).generic_string(), SourceRole::kRules); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace targeting::internal
