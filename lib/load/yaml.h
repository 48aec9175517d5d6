// yaml-cpp, included with GCC 12's -Wdangling-pointer silenced: its node
// accessors (yaml-cpp/node/impl.h) trip a known false positive of that
// warning. Every file of ours includes yaml-cpp through here. Private header.
#ifndef TARGETING_LIB_LOAD_YAML_H_
#define TARGETING_LIB_LOAD_YAML_H_

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
#else
#include <yaml-cpp/yaml.h>
#endif

#endif  // TARGETING_LIB_LOAD_YAML_H_
