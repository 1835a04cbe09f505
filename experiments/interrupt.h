// interrupt.h - Ctrl-C (SIGINT) and a scheduler's SIGTERM during training: finish the current
// step, write the checkpoint, say how to resume, exit 128 + signal (130 / 143).
//
// While an InterruptGuard lives, SIGINT and SIGTERM only record that they arrived; the training
// loop polls interrupt_signal() after each step. A second identical signal restores the default
// action and re-raises it, so pressing Ctrl-C twice still ends a stuck process at once.
#pragma once
#include <chrono>
#include <string>

#include "tensor/error.h"

namespace dl::experiments {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers and clears any recorded signal
  ~InterruptGuard();  // restores the previous handlers
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

// The signal recorded since the guard was installed (SIGINT or SIGTERM), or 0.
int interrupt_signal();

// Thrown by train() after it saved the checkpoint for an interrupt; the programs print the
// message and exit with exit_status().
struct Interrupted : Error {
  Interrupted(int signal, const std::string& message) : Error(message), signal(signal) {}
  int signal;
  int exit_status() const { return 128 + signal; }
};

// "SIGINT" / "SIGTERM" / "signal N".
std::string signal_name(int signal);

// The command line that resumes this run: argv, shell-quoted, with --resume added unless present
// (table1 always resumes: add_resume_flag false).
std::string resume_command(int argc, char** argv, bool add_resume_flag = true);

// When the next mid-epoch checkpoint is due: every `minutes` (0 = after every step).
class CheckpointClock {
 public:
  explicit CheckpointClock(double minutes);
  bool due() const;
  void restart();  // a checkpoint was just written

 private:
  double minutes_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace dl::experiments
