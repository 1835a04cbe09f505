// child_process.h - runs one test of this binary in a fresh process (the binary re-executed with
// --gtest_filter), for tests that must kill a process, lower its resource limits or watch it exit
// with a status. Fresh rather than fork()ed: the parent's OpenMP and loader threads do not survive
// a fork. The child test skips itself unless kChildEnv is set, so a normal run only skips it.
#pragma once
#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

extern char** environ;

namespace dl::test {

inline constexpr const char* kChildEnv = "DL_TEST_CHILD";

#define DL_CHILD_ONLY()                                                                             \
  do {                                                                                              \
    if (std::getenv(::dl::test::kChildEnv) == nullptr) GTEST_SKIP() << "runs only as a child process"; \
  } while (0)

// The environment variable `name` of a child test (dl::Error-free: empty when unset).
inline std::string child_env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

struct ChildResult {
  int status = -1;     // waitpid status
  std::string output;  // stdout and stderr together
  bool exited(int code) const { return WIFEXITED(status) && WEXITSTATUS(status) == code; }
  bool killed_by(int sig) const { return WIFSIGNALED(status) && WTERMSIG(status) == sig; }
};

// Runs `test` ("Suite.Name") in a new process with `env` added to this one's environment.
inline ChildResult run_child_test(const std::string& test, const std::vector<std::pair<std::string, std::string>>& env) {
  const std::string log = (std::filesystem::temp_directory_path() /
                           ("dl_child_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()) + ".log"))
                              .string();
  std::vector<std::string> args = {"/proc/self/exe", "--gtest_filter=" + test};
  std::vector<std::string> envs = {std::string(kChildEnv) + "=1"};
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  for (char** e = environ; *e; ++e) envs.emplace_back(*e);
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : envs) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  ChildResult r;
  const int rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    r.output = "posix_spawn failed";
    return r;
  }
  while (::waitpid(pid, &r.status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  std::filesystem::remove(log);
  return r;
}

}  // namespace dl::test
