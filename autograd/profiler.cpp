// profiler.cpp - see profiler.h.
#include "autograd/profiler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>

namespace dl {
namespace {

std::atomic<bool> g_on{false};
bool g_detail = false;
std::map<std::string, OpProfileEntry> g_entries;
std::chrono::steady_clock::time_point g_last;

OpProfileEntry& entry(const std::string& name, const std::string& shape) {
  const std::string key = g_detail ? name + " " + shape : name;
  OpProfileEntry& e = g_entries[key];
  e.key = key;
  return e;
}

}  // namespace

void profiler_enable(bool on, bool detail) {
  if (on) g_entries.clear();
  g_detail = detail;
  g_last = std::chrono::steady_clock::now();
  g_on.store(on, std::memory_order_relaxed);
}

bool profiler_enabled() { return g_on.load(std::memory_order_relaxed); }

void profiler_mark() { g_last = std::chrono::steady_clock::now(); }

void profiler_on_record(const char* name, const std::string& shape) {
  const auto now = std::chrono::steady_clock::now();
  OpProfileEntry& e = entry(name, shape);
  e.forward_ms += std::chrono::duration<double, std::milli>(now - g_last).count();
  ++e.forward_calls;
  g_last = std::chrono::steady_clock::now();  // the bookkeeping above is not charged to the next op
}

void profiler_on_backward(const std::string& name, const std::string& shape, double ms) {
  OpProfileEntry& e = entry(name, shape);
  e.backward_ms += ms;
  ++e.backward_calls;
}

std::vector<OpProfileEntry> profiler_entries() {
  std::vector<OpProfileEntry> out;
  for (const auto& [k, e] : g_entries) out.push_back(e);
  std::stable_sort(out.begin(), out.end(), [](const OpProfileEntry& a, const OpProfileEntry& b) {
    return a.forward_ms + a.backward_ms > b.forward_ms + b.backward_ms;
  });
  return out;
}

std::string profiler_report(double total) {
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-44s %10s %10s %10s %7s %6s\n", "op", "fwd ms", "bwd ms", "total ms", "share", "calls");
  s += buf;
  double fwd = 0, bwd = 0;
  for (const auto& e : profiler_entries()) {
    const double t = e.forward_ms + e.backward_ms;
    fwd += e.forward_ms, bwd += e.backward_ms;
    std::snprintf(buf, sizeof buf, "%-44s %10.2f %10.2f %10.2f %6.1f%% %6lld\n", e.key.c_str(), e.forward_ms,
                  e.backward_ms, t, total > 0 ? 100.0 * t / total : 0.0, static_cast<long long>(e.forward_calls));
    s += buf;
  }
  std::snprintf(buf, sizeof buf, "%-44s %10.2f %10.2f %10.2f %6.1f%%\n", "(sum over ops)", fwd, bwd, fwd + bwd,
                total > 0 ? 100.0 * (fwd + bwd) / total : 0.0);
  s += buf;
  return s;
}

}  // namespace dl
