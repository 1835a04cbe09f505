#include "autograd/tape.h"

#include <chrono>
#include <unordered_set>

#include "autograd/grad_mode.h"
#include "autograd/profiler.h"
#include "kernels/cpu/axpy.h"
#include "kernels/ref/axpy.h"
#include "kernels/cuda/axpy.h"
#include "kernels/cuda/nvtx.h"
#include "kernels/dispatch.h"
#include "tensor/error.h"

namespace dl {

static TapeObserver* g_observer = nullptr;
void set_tape_observer(TapeObserver* observer) { g_observer = observer; }

bool needs_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t && t->defined() && t->requires_grad()) return true;
  return false;
}

void record(const char* name, Tensor& out, std::initializer_list<Tensor> inputs,
            std::function<void(const Tensor&)> backward_fn) {
  auto node = std::make_shared<Node>();
  node->name = name;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) node->inputs.push_back(t);
  node->backward = std::move(backward_fn);
  node->output = out.impl();
  out.impl()->requires_grad = true;
  out.impl()->grad_fn = std::move(node);
  if (profiler_enabled()) profiler_on_record(name, out.shape().str());
  if (g_observer) g_observer->on_record(*out.grad_fn(), out);
}

// A gradient buffer may be shared with another tensor's gradient (accumulate_grad stores the
// caller's tensor without copying). Writing into it in place is safe only if we are its sole owner.
static bool owns_storage(const Tensor& g) { return g.impl().use_count() == 1 && g.impl()->storage.use_count() == 1; }

void accumulate_grad(const Tensor& t, const Tensor& g) {
  if (!t.defined() || !t.requires_grad()) return;
  check_same_shape(t, g, "accumulate_grad (tensor vs its gradient)");
  TensorImpl& impl = *t.impl();
  if (g_observer) g_observer->on_grad(t, impl.grad.defined() ? "+=" : "=");
  if (!impl.grad.defined()) {
    impl.grad = g;  // first contribution: keep it as is, no copy
    return;
  }
  if (!owns_storage(impl.grad)) impl.grad = impl.grad.clone();
  DL_DISPATCH(t.device(), axpy, impl.grad.data(), g.data(), 1.0f, g.numel());
}

float* grad_buffer(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return nullptr;
  TensorImpl& impl = *t.impl();
  if (g_observer) g_observer->on_grad(t, impl.grad.defined() ? "+= into .grad" : "+= into zeros");
  if (!impl.grad.defined()) impl.grad = zeros(t.shape(), t.device());
  else if (!owns_storage(impl.grad)) impl.grad = impl.grad.clone();
  return impl.grad.data();
}

// Depth-first post-order from the root: every node comes after all nodes that feed it.
static std::vector<std::shared_ptr<Node>> topological_order(const std::shared_ptr<Node>& root) {
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen{root.get()};
  std::vector<std::pair<Node*, size_t>> stack{{root.get(), 0}};  // (node, next input to visit)
  std::vector<std::shared_ptr<Node>> owners{root};                // parallel to stack
  while (!stack.empty()) {
    auto [node, next] = stack.back();
    if (next < node->inputs.size()) {
      ++stack.back().second;
      const std::shared_ptr<Node>& child = node->inputs[next].grad_fn();
      if (child && seen.insert(child.get()).second) {
        stack.emplace_back(child.get(), 0);
        owners.push_back(child);
      }
    } else {
      order.push_back(std::move(owners.back()));
      owners.pop_back();
      stack.pop_back();
    }
  }
  return order;
}

void backward(const Tensor& root, const Tensor& seed) {
  DL_CHECK(root.defined(), "backward() on an undefined tensor");
  DL_CHECK(root.requires_grad(), "backward() on a tensor of shape ", root.shape().str(),
           " that does not require grad (no input requires grad, or it was computed under NoGradGuard)");
  Tensor g = seed;
  if (!g.defined()) {
    DL_CHECK(root.numel() == 1, "backward() on a non-scalar tensor of shape ", root.shape().str(),
             " needs a seed gradient of the same shape");
    g = ones(root.shape(), root.device());
  }
  check_same_shape(root, g, "backward (root vs seed gradient)");
  if (root.is_leaf()) return accumulate_grad(root, g);

  DL_CHECK(!root.grad_fn()->released, "backward() through the graph of '", root.grad_fn()->name,
           "' a second time: the tape is released after the first backward; run the forward again");
  accumulate_grad(root, g);

  // The tape. We hold every node and its output tensor until that node has run: releasing a
  // consumer frees the activations it saved, which may be the last reference to an input whose
  // own node (and accumulated .grad) is still to come.
  std::vector<std::shared_ptr<Node>> tape = topological_order(root.grad_fn());
  std::vector<std::shared_ptr<TensorImpl>> outputs(tape.size());
  for (size_t i = 0; i < tape.size(); ++i) outputs[i] = tape[i]->output.lock();

  for (size_t i = tape.size(); i-- > 0;) {
    Node& node = *tape[i];
    DL_CHECK(!node.released, "backward() reached the node '", node.name,
             "' whose graph was already released by an earlier backward()");
    if (outputs[i] && outputs[i]->grad.defined()) {
      Tensor grad_out = std::move(outputs[i]->grad);  // intermediate gradients are dropped once used
      outputs[i]->grad = Tensor();
      NvtxRange range(node.name);  // "conv2d", "batchnorm", ... in Nsight's backward timeline
      if (g_observer) g_observer->on_backward(node, grad_out);
      if (profiler_enabled()) {
        const auto t0 = std::chrono::steady_clock::now();
        const std::string shape = grad_out.shape().str();
        node.backward(grad_out);
        profiler_on_backward(node.name, shape,
                             std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      } else {
        node.backward(grad_out);
      }
    }
    node.backward = nullptr;  // frees the activations the closure saved
    node.inputs.clear();
    node.released = true;
    outputs[i].reset();
    tape[i].reset();
  }
}

void Tensor::backward(const Tensor& seed) const { dl::backward(*this, seed); }

}  // namespace dl
