// run_lock.cpp - see run_lock.h.
#include "experiments/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "tensor/error.h"

namespace dl::experiments {

std::string run_lock_path(const std::string& dir) { return (std::filesystem::path(dir) / ".lock").string(); }

// The holder's "pid <n> (<program>)" line, or a placeholder if it has not written it yet.
static std::string read_holder(int fd) {
  char buf[256] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "another process (it has not recorded its pid yet)" : s;
}

RunLock::RunLock(const std::string& dir, const std::string& program) : path_(run_lock_path(dir)) {
  std::filesystem::create_directories(dir);
  // O_CLOEXEC: a child process started by the run must not inherit (and keep) the lock.
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  DL_CHECK(fd_ >= 0, "cannot open the lock file ", path_, ": ", std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    const std::string holder = err == EWOULDBLOCK ? read_holder(fd_) : std::string();
    ::close(fd_);
    fd_ = -1;
    DL_CHECK(err != EWOULDBLOCK, dir, " is in use by ", holder, "; wait for it to finish, stop it, or use another",
             " output directory");
    DL_FAIL("cannot lock ", path_, ": ", std::strerror(err));
  }
  const std::string me = "pid " + std::to_string(::getpid()) + " (" + program + ")\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    // Not fatal: the lock is held; others would only see a less helpful message.
  }
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  // Leave the file (removing it would race with a process that just opened it); clear the pid.
  if (::ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);  // releases the flock
}

}  // namespace dl::experiments
