#include "serve/priority.h"

#include <dirent.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace targeting::serve {

pid_t CurrentThreadId() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

bool SetThreadIdle(pid_t tid, bool idle) {
  sched_param param{};
  if (::sched_setscheduler(tid, idle ? SCHED_IDLE : SCHED_OTHER, &param) != 0) return false;
  if (!idle) ::setpriority(PRIO_PROCESS, static_cast<id_t>(tid), 10);
  return true;
}

bool IdleThreadsCanBeRaised() {
  static const bool can = [] {
    bool ok = false;
    std::thread probe([&ok] {
      // As the reload thread is between reloads: at nice 10, the value
      // leaving SCHED_IDLE is checked against (RLIMIT_NICE >= 20 - 10).
      const pid_t self = CurrentThreadId();
      ok = ::setpriority(PRIO_PROCESS, static_cast<id_t>(self), 10) == 0 && SetThreadIdle(self, true) &&
           SetThreadIdle(self, false);
    });
    probe.join();
    return ok;
  }();
  return can;
}

int RaiseIdleThreads() {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  int raised = 0;
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long tid = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    if (::sched_getscheduler(static_cast<pid_t>(tid)) == SCHED_IDLE && SetThreadIdle(static_cast<pid_t>(tid), false)) {
      ++raised;
    }
  }
  ::closedir(dir);
  return raised;
}

}  // namespace targeting::serve
