// test_run_lock.cpp - one run directory, one writer (experiments/run_lock.h): a second writer,
// in this process or another, fails at once naming the holder's pid; a holder killed by SIGKILL
// leaves a lock file that does not block; train() takes the lock before anything else.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "data_fixtures.h"
#include "experiments/config.h"
#include "experiments/run_lock.h"
#include "experiments/trainer.h"
#include "tensor/error.h"

using namespace dl::experiments;

namespace {

std::string lock_error(const std::string& dir, const std::string& program) {
  try {
    RunLock l(dir, program);
  } catch (const dl::Error& e) {
    return e.user_message();
  }
  return "";
}

// A child process that takes the lock, reports on `ready`, then waits for `go` to close.
pid_t hold_in_child(const std::string& dir, int ready[2], int go[2]) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    ::close(go[1]);
    try {
      RunLock l(dir, "holder");
      const char c = 'x';
      if (::write(ready[1], &c, 1) != 1) ::_exit(3);
      char buf;
      while (::read(go[0], &buf, 1) > 0) {
      }
    } catch (...) {
      ::_exit(2);
    }
    ::_exit(0);
  }
  ::close(ready[1]);
  ::close(go[0]);
  char c = 0;
  EXPECT_EQ(::read(ready[0], &c, 1), 1);
  return pid;
}

}  // namespace

TEST(RunLock, SecondWriterInThisProcessFails) {
  dl::test::TempDir d;
  const std::string dir = d.file("run");
  {
    RunLock a(dir, "train");
    EXPECT_TRUE(std::filesystem::exists(run_lock_path(dir)));
    const std::string msg = lock_error(dir, "table1");
    EXPECT_EQ(msg, dir + " is in use by pid " + std::to_string(::getpid()) +
                       " (train); wait for it to finish, stop it, or use another output directory");
  }
  EXPECT_EQ(lock_error(dir, "train"), "");  // released with its holder
}

TEST(RunLock, AnotherProcessIsNamed) {
  dl::test::TempDir d;
  const std::string dir = d.file("run");
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  const pid_t pid = hold_in_child(dir, ready, go);
  const std::string msg = lock_error(dir, "train");
  EXPECT_NE(msg.find("is in use by pid " + std::to_string(pid) + " (holder)"), std::string::npos) << msg;
  ::close(go[1]);  // the holder exits
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(ready[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(lock_error(dir, "train"), "");
}

TEST(RunLock, KilledHolderDoesNotBlock) {
  dl::test::TempDir d;
  const std::string dir = d.file("run");
  int ready[2], go[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(go), 0);
  const pid_t pid = hold_in_child(dir, ready, go);
  EXPECT_NE(lock_error(dir, "train"), "");
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(go[1]);
  ::close(ready[0]);
  ASSERT_TRUE(WIFSIGNALED(status));
  // The file still names the dead holder, but only a live process can hold a flock.
  std::ifstream in(run_lock_path(dir));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("pid " + std::to_string(pid)), std::string::npos);
  EXPECT_EQ(lock_error(dir, "train"), "");
}

TEST(RunLock, TrainStopsAtOnceWhenTheRunDirIsTaken) {
  dl::test::TempDir d;
  RunConfig c = preset("smoke");
  c.out_dir = d.file("runs");
  c.device = "cpu";
  c.data_dir = d.file("no-data-needed");  // the lock comes before the data
  RunLock other(c.run_dir(), "table1");
  TrainOptions o;
  o.progress = false;
  try {
    train(c, o);
    FAIL() << "train ran in a locked directory";
  } catch (const dl::Error& e) {
    EXPECT_NE(std::string(e.user_message()).find("is in use by pid " + std::to_string(::getpid()) + " (table1)"),
              std::string::npos)
        << e.what();
  }
}
