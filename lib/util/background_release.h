// Dropping the last reference to a large object (a compiled rule set of 100k
// entries takes a few hundred milliseconds to free) on a background thread,
// so that a scorer moving to a reloaded set does not stall. Private header.
#ifndef TARGETING_LIB_UTIL_BACKGROUND_RELEASE_H_
#define TARGETING_LIB_UTIL_BACKGROUND_RELEASE_H_

#include <memory>

namespace targeting::internal {

// Takes `p` and drops it on the releaser thread (started on first use,
// joined at exit after it has dropped everything queued). Drops it inline
// when no thread can be started or during exit.
void ReleaseInBackground(std::shared_ptr<const void> p);

}  // namespace targeting::internal

#endif  // TARGETING_LIB_UTIL_BACKGROUND_RELEASE_H_
