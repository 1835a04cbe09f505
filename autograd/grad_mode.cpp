#include "autograd/grad_mode.h"

namespace dl {

namespace {
thread_local bool g_grad_enabled = true;  // per thread: loader threads never record
}

bool grad_enabled() { return g_grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

}  // namespace dl
