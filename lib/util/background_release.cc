#include "util/background_release.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace targeting::internal {

namespace {

class Releaser {
 public:
  ~Releaser() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Release(std::shared_ptr<const void> p) {
    std::unique_lock<std::mutex> lock(mu_);
    if (stopping_) return;  // `p` is dropped here, after the lock
    if (!thread_.joinable()) {
      try {
        thread_ = std::thread([this] { Run(); });
      } catch (const std::system_error&) {
        return;
      }
    }
    queue_.push_back(std::move(p));
    lock.unlock();
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      while (!queue_.empty()) {
        std::shared_ptr<const void> p = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        p.reset();
        lock.lock();
      }
      if (stopping_) return;
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const void>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

void ReleaseInBackground(std::shared_ptr<const void> p) {
  if (!p) return;
  static Releaser releaser;
  releaser.Release(std::move(p));
}

}  // namespace targeting::internal
