// tape.h - reverse-mode automatic differentiation.
//
// Every differentiable op (autograd/ops/*.cpp) computes its output and, if grad mode is on and an
// input requires a gradient, records a Node on the output: the inputs that want gradients and a
// closure that, given dL/d(output), adds dL/d(input) into each of them. The nodes form a DAG that
// hangs off the loss. backward(loss) orders that DAG topologically (this order is "the tape"),
// walks it from the loss back to the leaves, and then releases every node so the saved
// activations are freed and memory does not grow across steps.
//
// Gradient convention (stated once, used everywhere): kernels WRITE (=) the gradient of an
// activation into a fresh buffer, and ACCUMULATE (+=) the gradient of a parameter into its .grad
// buffer (grad_buffer below). When a tensor feeds several consumers, accumulate_grad sums the
// contributions. Leaves keep their .grad across backward calls until zero_grad().
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace dl {

struct Node {
  std::string name;                                    // the op, e.g. "conv2d"; used in errors
  std::vector<Tensor> inputs;                          // inputs that receive gradients
  std::function<void(const Tensor& grad_out)> backward;
  std::weak_ptr<TensorImpl> output;                    // whose .grad is grad_out
  bool released = false;                               // set after backward ran
};

// True when an op on these inputs must record a Node (grad mode on, some input requires grad).
bool needs_grad(std::initializer_list<const Tensor*> inputs);

// Attach a Node to `out` and mark it as requiring grad. Only inputs that require grad are kept.
void record(const char* name, Tensor& out, std::initializer_list<Tensor> inputs,
            std::function<void(const Tensor& grad_out)> backward);

// dL/dt += g, where g is a gradient the caller just wrote. Ignored if t does not require grad.
void accumulate_grad(const Tensor& t, const Tensor& g);

// The buffer a kernel accumulates (+=) t's gradient into: t.grad, created zero-filled on first
// use (and copied first if another tensor shares its storage). Null if t does not require grad.
float* grad_buffer(const Tensor& t);

// Run the tape from `root`. `seed` is dL/d(root); it may be omitted only for a one-element root.
void backward(const Tensor& root, const Tensor& seed = Tensor());

// An optional watcher of the tape, for teaching and debugging (experiments/bin/one_step.cpp
// prints a training step with it): told when a node is recorded, when backward runs a node, and
// where each gradient lands. None by default (one pointer test per event); single-threaded use.
struct TapeObserver {
  virtual ~TapeObserver() = default;
  virtual void on_record(const Node& /*node*/, const Tensor& /*out*/) {}
  virtual void on_backward(const Node& /*node*/, const Tensor& /*grad_out*/) {}
  // how: "=" (g itself becomes t's .grad), "+=" (g is added to t's .grad), or "+= into zeros"
  // and "+= into .grad" (grad_buffer: a kernel is about to accumulate into t's .grad, fresh or not).
  virtual void on_grad(const Tensor& /*t*/, const char* /*how*/) {}
};
void set_tape_observer(TapeObserver* observer);  // nullptr: none

}  // namespace dl
