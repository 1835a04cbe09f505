// adam.cpp - see adam.h.
#include "nn/adam.h"

#include <cmath>

#include "kernels/cpu/adam.h"
#include "kernels/ref/adam.h"
#include "kernels/cuda/adam.h"
#include "kernels/dispatch.h"

namespace dl::nn {

Adam::Adam(NamedTensorList params, const AdamOptions& options)
    : Optimizer(std::move(params), options.lr, {"exp_avg", "exp_avg_sq"}), opt_(options) {
  DL_CHECK(opt_.beta1 >= 0 && opt_.beta1 < 1 && opt_.beta2 >= 0 && opt_.beta2 < 1, "Adam: betas (", opt_.beta1,
           ", ", opt_.beta2, ") must lie in [0, 1)");
  DL_CHECK(opt_.eps >= 0 && opt_.weight_decay >= 0, "Adam: eps and weight_decay must be >= 0");
}

void Adam::update(Slot& s, const Tensor& grad) {
  // Bias corrections in double, as PyTorch computes them with Python floats.
  const double t = static_cast<double>(s.step);
  const float bc1 = static_cast<float>(1.0 - std::pow(static_cast<double>(opt_.beta1), t));
  const float bc2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(static_cast<double>(opt_.beta2), t)));
  DL_DISPATCH(s.param.device(), adam_update, s.param.data(), s.buffers[0].data(), s.buffers[1].data(), grad.data(),
              s.param.numel(), lr(), opt_.beta1, opt_.beta2, opt_.eps, opt_.weight_decay, opt_.decoupled, bc1,
              bc2_sqrt);
}

}  // namespace dl::nn
