// nt_xent.cpp - the differentiable contrastive losses (kernels/{cpu,cuda}/nt_xent.*), each one
// fused node: the forward's row pass writes the loss and dS = d loss / d S (for dloss = 1), saved;
// the backward only runs the GEMMs, scaled by dloss.
// Neither normalizes its inputs: the caller applies l2_normalize first, as the reference does.
#include "autograd/functions.h"
#include "kernels/cpu/nt_xent.h"
#include "kernels/ref/nt_xent.h"
#include "kernels/cuda/nt_xent.h"
#include "kernels/dispatch.h"

namespace dl {

static void check_pair(const char* op, const Tensor& a, const Tensor& b, const char* na, const char* nb,
                       float tau) {
  DL_CHECK(a.defined() && b.defined(), op, ": ", na, " and ", nb, " must be defined");
  DL_CHECK(a.ndim() == 2 && a.shape() == b.shape() && a.size(0) > 0,
           op, ": ", na, " ", a.shape().str(), " and ", nb, " ", b.shape().str(),
           " must both be the same non-empty (N, D)");
  DL_CHECK(a.dtype() == DType::F32 && b.dtype() == DType::F32, op, ": inputs must be f32");
  DL_CHECK(a.device() == b.device(), op, ": ", na, " on ", device_name(a.device()), " but ", nb, " on ",
           device_name(b.device()));
  DL_CHECK(tau > 0.0f, op, ": temperature tau must be > 0, got ", tau);
}

static float* opt_data(Tensor& t) { return t.defined() ? t.data() : nullptr; }

Tensor nt_xent_cross_view(const Tensor& e1, const Tensor& e2, float tau) {
  check_pair("nt_xent_cross_view", e1, e2, "e1", "e2", tau);
  const int64_t N = e1.size(0), D = e1.size(1);
  Tensor loss = Tensor::empty({}, DType::F32, e1.device());
  Tensor dS = Tensor::empty({N, N}, DType::F32, e1.device());
  DL_DISPATCH(e1.device(), nt_xent_cross_view_forward, loss.data(), dS.data(), e1.data(), e2.data(), N, D, tau);
  if (needs_grad({&e1, &e2})) {
    record("nt_xent_cross_view", loss, {e1, e2}, [e1, e2, dS, N, D, tau](const Tensor& dloss) {
      Tensor de1 = e1.requires_grad() ? Tensor::empty(e1.shape(), DType::F32, e1.device()) : Tensor();
      Tensor de2 = e2.requires_grad() ? Tensor::empty(e2.shape(), DType::F32, e2.device()) : Tensor();
      DL_DISPATCH(e1.device(), nt_xent_cross_view_backward, opt_data(de1), opt_data(de2), dloss.data(), e1.data(),
                  e2.data(), dS.data(), N, D, tau);
      accumulate_grad(e1, de1);
      accumulate_grad(e2, de2);
    });
  }
  return loss;
}

Tensor nt_xent(const Tensor& z1, const Tensor& z2, float tau) {
  check_pair("nt_xent", z1, z2, "z1", "z2", tau);
  const int64_t N = z1.size(0), D = z1.size(1);
  Tensor loss = Tensor::empty({}, DType::F32, z1.device());
  Tensor dS = Tensor::empty({2 * N, 2 * N}, DType::F32, z1.device());
  DL_DISPATCH(z1.device(), nt_xent_forward, loss.data(), dS.data(), z1.data(), z2.data(), N, D, tau);
  if (needs_grad({&z1, &z2})) {
    record("nt_xent", loss, {z1, z2}, [z1, z2, dS, N, D, tau](const Tensor& dloss) {
      Tensor dz1 = z1.requires_grad() ? Tensor::empty(z1.shape(), DType::F32, z1.device()) : Tensor();
      Tensor dz2 = z2.requires_grad() ? Tensor::empty(z2.shape(), DType::F32, z2.device()) : Tensor();
      DL_DISPATCH(z1.device(), nt_xent_backward, opt_data(dz1), opt_data(dz2), dloss.data(), z1.data(), z2.data(),
                  dS.data(), N, D, tau);
      accumulate_grad(z1, dz1);
      accumulate_grad(z2, dz2);
    });
  }
  return loss;
}

}  // namespace dl
