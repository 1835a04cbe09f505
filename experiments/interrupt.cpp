// interrupt.cpp - see interrupt.h.
#include "experiments/interrupt.h"

#include <csignal>
#include <cstring>

namespace dl::experiments {

namespace {

volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_old_int, g_old_term;

// Async-signal-safe: records the signal; a repeat restores the default action and re-raises.
extern "C" void on_interrupt(int sig) {
  if (g_signal == sig) {
    std::signal(sig, SIG_DFL);
    std::raise(sig);
    return;
  }
  g_signal = sig;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // reads and writes in progress continue; the loop polls the flag
  sigaction(SIGINT, &sa, &g_old_int);
  sigaction(SIGTERM, &sa, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int interrupt_signal() { return g_signal; }

std::string signal_name(int signal) {
  if (signal == SIGINT) return "SIGINT";
  if (signal == SIGTERM) return "SIGTERM";
  return "signal " + std::to_string(signal);
}

// Quotes an argument for a POSIX shell when it holds anything but safe characters.
static std::string shell_quote(const std::string& a) {
  if (!a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%") ==
                        std::string::npos)
    return a;
  std::string q = "'";
  for (char c : a) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string resume_command(int argc, char** argv, bool add_resume_flag) {
  std::string cmd;
  bool has_resume = false;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    has_resume |= a == "--resume";
    cmd += (i ? " " : "") + shell_quote(a);
  }
  return has_resume || !add_resume_flag ? cmd : cmd + " --resume";
}

CheckpointClock::CheckpointClock(double minutes) : minutes_(minutes), last_(std::chrono::steady_clock::now()) {}

bool CheckpointClock::due() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_).count() >= minutes_ * 60.0;
}

void CheckpointClock::restart() { last_ = std::chrono::steady_clock::now(); }

}  // namespace dl::experiments
