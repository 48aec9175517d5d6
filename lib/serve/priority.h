// Scheduling priority of the threads that compile reloads.
#ifndef TARGETING_LIB_SERVE_PRIORITY_H_
#define TARGETING_LIB_SERVE_PRIORITY_H_

#include <sys/types.h>

namespace targeting::serve {

// The kernel's id of the calling thread.
pid_t CurrentThreadId();

// Sets thread `tid` of this process to SCHED_IDLE (it runs only on a core no
// other thread wants), or to the normal policy at nice 10. False when the
// kernel refuses (the thread keeps its policy).
bool SetThreadIdle(pid_t tid, bool idle);

// Whether a thread of this process may go to SCHED_IDLE and come back: an
// unprivileged process may leave SCHED_IDLE only if RLIMIT_NICE allows nice
// 10 (sched(7)). Tried once, on a thread of its own.
bool IdleThreadsCanBeRaised();

// Every thread of this process still at SCHED_IDLE goes to the normal
// policy at nice 10: a reload's compile and the parse threads it started,
// which inherited its policy. Returns how many were raised.
int RaiseIdleThreads();

}  // namespace targeting::serve

#endif  // TARGETING_LIB_SERVE_PRIORITY_H_
