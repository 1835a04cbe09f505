// profiler.h - an optional per-op time profile of training steps, hooked into the tape.
//
// Off by default; when off each hook is one relaxed atomic load. When on:
//  * forward: the time since the previous recorded op (or since profiler_mark()) is charged to the
//    op that records its node now. Ops compute first and record after, so this is the op's own
//    forward time plus any untaped work since the previous op (loss bookkeeping, Python-free glue:
//    small in a ResNet step). Ops run under NoGradGuard record nothing and are not seen.
//  * backward: each node's closure is timed exactly (kernels + accumulate_grad).
// Keys are "op" or, with detail, "op (out shape)". Single-threaded use only (the tape is).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace dl {

struct OpProfileEntry {
  std::string key;
  double forward_ms = 0, backward_ms = 0;
  int64_t forward_calls = 0, backward_calls = 0;
};

void profiler_enable(bool on, bool detail = false);  // turning it on clears the collected times
bool profiler_enabled();
void profiler_mark();  // restart the forward clock (call right before a step's forward)
std::vector<OpProfileEntry> profiler_entries();  // sorted by total time, largest first
std::string profiler_report(double step_ms_total = 0);  // a table; shares of step_ms_total if > 0

// Internal hooks used by autograd/tape.cpp.
void profiler_on_record(const char* name, const std::string& shape);
void profiler_on_backward(const std::string& name, const std::string& shape, double ms);

}  // namespace dl
