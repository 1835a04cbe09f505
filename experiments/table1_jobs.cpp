// table1_jobs.cpp - see table1_jobs.h.
#include "experiments/table1_jobs.h"

#include <fcntl.h>
#include <omp.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "experiments/config.h"
#include "experiments/interrupt.h"
#include "experiments/progress.h"

extern char** environ;

namespace dl::experiments {
namespace fs = std::filesystem;

namespace {

struct Job {
  std::string cell, log;
  pid_t pid = 0;
  std::chrono::steady_clock::time_point start;
};

// This process's environment with the thread counts of one job.
std::vector<std::string> job_environment(int threads) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string v = *e;
    if (v.rfind("OMP_NUM_THREADS=", 0) != 0 && v.rfind("OPENBLAS_NUM_THREADS=", 0) != 0) env.push_back(v);
  }
  env.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
  env.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(threads));
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (std::string& s : v) p.push_back(s.data());
  p.push_back(nullptr);
  return p;
}

// Starts one cell's job in its own process group, stdout and stderr into `log`.
pid_t spawn_job(const std::string& exe, std::vector<std::string> args, std::vector<std::string> env,
                const std::string& log) {
  args.insert(args.begin(), exe);
  std::vector<char*> argv = c_strings(args), envp = c_strings(env);
  posix_spawn_file_actions_t files;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // terminal signals go to table1 only
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, exe.c_str(), &files, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attr);
  DL_CHECK(err == 0, "table1 --jobs: cannot start ", exe, ": ", std::strerror(err));
  return pid;
}

std::string last_line(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

std::string describe_failure(const Job& job, int status) {
  const std::string how = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                            : "was killed by " + signal_name(WTERMSIG(status));
  return "the job of " + job.cell + " " + how + " (log: " + job.log + "): " + last_line(job.log);
}

}  // namespace

int threads_per_job(int jobs) { return std::max(1, omp_get_max_threads() / std::max(1, jobs)); }

std::vector<std::string> job_arguments(const Table1Options& opt, const std::string& dataset,
                                       const std::string& method) {
  std::vector<std::string> a = {"--preset", opt.preset};
  for (const auto& [key, text] : opt.overrides) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    a.insert(a.end(), {flag, text});
  }
  if (!opt.overrides.count("out_dir")) a.insert(a.end(), {"--out-dir", (fs::path(opt.results_dir) / "runs").string()});
  const std::string cell = dataset + "_" + method;
  a.insert(a.end(), {"--methods", method, "--datasets", dataset, "--results-dir",
                     (fs::path(opt.results_dir) / "cells" / cell).string(), "--no-figures", "--checkpoint-minutes",
                     std::to_string(opt.checkpoint_minutes)});
  if (!opt.progress) a.push_back("--quiet");
  return a;
}

std::set<std::string> train_cells_in_jobs(const Table1Options& opt) {
  DL_CHECK(opt.jobs >= 1 && opt.threads_per_job >= 1, "table1: --jobs and threads per job must be >= 1, got ", opt.jobs,
           " and ", opt.threads_per_job);
  DL_CHECK(!opt.executable.empty(), "table1 --jobs: no program to run the jobs with");
  std::vector<std::pair<std::string, std::string>> cells;  // (dataset, method), the table's order
  for (const std::string& d : opt.datasets)
    for (Method m : all_methods())
      if (std::find(opt.methods.begin(), opt.methods.end(), method_key(m)) != opt.methods.end())
        cells.emplace_back(d, method_key(m));
  const fs::path logs = fs::path(opt.results_dir) / "logs";
  fs::create_directories(logs);
  const std::vector<std::string> env = job_environment(opt.threads_per_job);

  const InterruptGuard guard;
  std::vector<Job> running;
  std::set<std::string> ran;
  std::string failure;
  int signal = 0;
  size_t next = 0;
  while (true) {
    if (const int s = interrupt_signal(); s != 0 && signal == 0) {
      signal = s;
      for (const Job& j : running) kill(j.pid, s);  // once: a second signal would skip the checkpoint
    }
    while (signal == 0 && failure.empty() && int(running.size()) < opt.jobs && next < cells.size()) {
      const auto& [d, m] = cells[next++];
      Job j;
      j.cell = d + "_" + m;
      j.log = (logs / (j.cell + ".log")).string();
      j.start = std::chrono::steady_clock::now();
      try {
        j.pid = spawn_job(opt.executable, job_arguments(opt, d, m), env, j.log);
      } catch (const Error& e) {
        failure = e.user_message();
        break;
      }
      ran.insert(j.cell);
      running.push_back(j);
      if (opt.progress)
        std::fprintf(stderr, "job %s: started on %d thread(s), log %s\n", j.cell.c_str(), opt.threads_per_job,
                     j.log.c_str());
    }
    if (running.empty()) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    DL_CHECK(pid > 0, "table1 --jobs: waitpid failed: ", std::strerror(errno));
    const auto it = std::find_if(running.begin(), running.end(), [&](const Job& j) { return j.pid == pid; });
    if (it == running.end()) continue;  // not one of ours
    const Job job = *it;
    running.erase(it);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && signal == 0 && failure.empty()) failure = describe_failure(job, status);
    if (opt.progress)
      std::fprintf(stderr, "job %s: %s after %s\n", job.cell.c_str(), ok ? "finished" : "stopped",
                   format_duration(std::chrono::duration<double>(std::chrono::steady_clock::now() - job.start).count())
                       .c_str());
  }
  if (signal != 0)
    throw Interrupted(signal, "interrupted by " + signal_name(signal) + "; every job saved its checkpoint");
  DL_CHECK(failure.empty(), "table1 --jobs: ", failure);
  return ran;
}

}  // namespace dl::experiments
