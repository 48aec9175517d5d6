// Layout: load/ reads rule-set files and normalizes values by type (engine stage 1 of 11).
// The files of a rule set (SPEC section 1): a directory walked in byte order
// of relative paths, a single file, or files held in memory, and the list
// and schema files they refer to. Private header of the load stage.
#ifndef TARGETING_LIB_LOAD_SOURCES_H_
#define TARGETING_LIB_LOAD_SOURCES_H_

#include <string>
#include <vector>

#include "targeting/rules.h"
#include "targeting/status.h"

namespace targeting::internal {

struct Source {
  std::string name;  // as shown in messages
  std::string text;
  SourceRole role;
  std::string key;  // lexically normal form of the path, to match references
};

// The lexically normal form of a path, to match references to it.
std::string PathKey(const std::string& path);

// What a Compiler was given. Not thread-safe.
struct SourceSet {
  CompileOptions options;
  std::vector<Source> sources;
  Status status;  // the first failure to add a path; sticky

  void Add(std::string name, std::string text, SourceRole role);
  // A directory (targeting.yaml first, then *.yaml / *.yml in byte order of
  // their relative paths, hidden entries skipped) or a single file.
  Status AddPath(const std::string& path);
  // Text of a file referred to from `referrer`: a kData source, else disk.
  // *shown is the path as messages name it.
  Result<std::string> ReadReferenced(const std::string& referrer, const std::string& relative,
                                     std::string* shown) const;

 private:
  const Source* FindData(const std::string& key) const;
};

}  // namespace targeting::internal

#endif  // TARGETING_LIB_LOAD_SOURCES_H_
