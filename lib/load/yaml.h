// yaml-cpp, included in one place. Note for callers: a map iterator's
// operator-> returns a proxy by value, so `const YAML::Node& k = it->first;`
// dangles at the end of the statement; copy the node (a cheap handle) instead.
// GCC 12's -Wdangling-pointer reports exactly that mistake, so it stays on.
// Private header.
#ifndef TARGETING_LIB_LOAD_YAML_H_
#define TARGETING_LIB_LOAD_YAML_H_

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#endif  // TARGETING_LIB_LOAD_YAML_H_
