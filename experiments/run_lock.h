// run_lock.h - one run directory, one writer. A RunLock holds flock(LOCK_EX) on <dir>/.lock for
// its lifetime; a second process (train or table1) that asks for the same directory fails at
// once with a dl::Error naming the holder (its pid and program, which the holder writes into the
// file). The kernel releases a flock when its holder dies, even by SIGKILL, so a lock file left by
// a killed run never blocks: only a live process can hold the lock.
#pragma once
#include <string>

namespace dl::experiments {

class RunLock {
 public:
  // Creates `dir` if needed. `program` ("train", "table1") is recorded for the message others see.
  RunLock(const std::string& dir, const std::string& program);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

std::string run_lock_path(const std::string& dir);  // <dir>/.lock

}  // namespace dl::experiments
