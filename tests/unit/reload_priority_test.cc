// The priority a reload compiles at (lib/serve/priority.cc): SCHED_IDLE, and
// raised back to nice 10, with the threads it started, when it runs long.
#include "serve/priority.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>

namespace targeting::serve {
namespace {

int Nice(pid_t tid) { return ::getpriority(PRIO_PROCESS, static_cast<id_t>(tid)); }

TEST(ReloadPriority, IdleThreadsAndTheThreadsTheyStartAreRaisedToNiceTen) {
  if (!IdleThreadsCanBeRaised()) GTEST_SKIP() << "RLIMIT_NICE does not let this process leave SCHED_IDLE";
  std::atomic<pid_t> parent{0}, child{0};
  std::atomic<bool> checked{false};
  std::thread t([&] {
    parent = CurrentThreadId();
    ASSERT_TRUE(SetThreadIdle(parent, true));
    EXPECT_EQ(::sched_getscheduler(parent), SCHED_IDLE);
    // A thread the compile starts inherits the policy.
    std::thread c([&] {
      child = CurrentThreadId();
      while (!checked) std::this_thread::yield();
    });
    while (child == 0) std::this_thread::yield();
    EXPECT_EQ(::sched_getscheduler(child), SCHED_IDLE);
    // This thread (the test's) is not idle: it and any other are left alone.
    EXPECT_EQ(RaiseIdleThreads(), 2);
    EXPECT_EQ(::sched_getscheduler(parent), SCHED_OTHER);
    EXPECT_EQ(::sched_getscheduler(child), SCHED_OTHER);
    EXPECT_EQ(Nice(parent), 10);
    EXPECT_EQ(Nice(child), 10);
    EXPECT_EQ(RaiseIdleThreads(), 0);
    checked = true;
    c.join();
  });
  t.join();
  EXPECT_EQ(::sched_getscheduler(0), SCHED_OTHER);
}

TEST(ReloadPriority, BetweenReloadsTheThreadIsAtNiceTen) {
  if (!IdleThreadsCanBeRaised()) GTEST_SKIP() << "RLIMIT_NICE does not let this process leave SCHED_IDLE";
  std::thread t([] {
    const pid_t self = CurrentThreadId();
    ASSERT_TRUE(SetThreadIdle(self, true));
    ASSERT_TRUE(SetThreadIdle(self, false));
    EXPECT_EQ(::sched_getscheduler(self), SCHED_OTHER);
    EXPECT_EQ(Nice(self), 10);
  });
  t.join();
}

}  // namespace
}  // namespace targeting::serve
