// lars.cpp - see lars.h.
#include "nn/lars.h"

#include <cmath>

#include "kernels/cpu/sgd.h"
#include "kernels/ref/sgd.h"
#include "kernels/cuda/sgd.h"
#include "kernels/dispatch.h"

namespace dl::nn {

LARS::LARS(NamedTensorList params, const LARSOptions& options)
    : Optimizer(std::move(params), options.lr, {"momentum_buffer"}), opt_(options) {
  DL_CHECK(opt_.momentum >= 0 && opt_.weight_decay >= 0 && opt_.trust_coefficient > 0,
           "LARS: momentum, weight_decay must be >= 0 and trust_coefficient > 0");
}

void LARS::update(Slot& s, const Tensor& grad) {
  const Device dev = s.param.device();
  const int64_t n = s.param.numel();
  float scale = 1.0f, wd = 0.0f;
  if (s.param.ndim() != 1 || !opt_.exclude_bias_and_bn) {
    double p_sq = 0.0, g_sq = 0.0;
    if (dev == Device::CPU) {
      const bool ref = cpu_kernels() == CpuKernels::Ref;
      p_sq = ref ? ref::sum_squares(s.param.data(), n) : cpu::sum_squares(s.param.data(), n);
      g_sq = ref ? ref::sum_squares(grad.data(), n) : cpu::sum_squares(grad.data(), n);
    } else {
#ifdef DL_WITH_CUDA
      p_sq = cuda::sum_squares(s.param.data(), n);
      g_sq = cuda::sum_squares(grad.data(), n);
#else
      DL_FAIL("LARS: parameter on CUDA but this build has no CUDA backend");
#endif
    }
    const double p_norm = std::sqrt(p_sq), g_norm = std::sqrt(g_sq);
    if (p_norm != 0.0 && g_norm != 0.0) {
      scale = static_cast<float>(opt_.trust_coefficient * p_norm / (g_norm + p_norm * opt_.weight_decay + opt_.eps));
      wd = opt_.weight_decay;
    }
  }
  DL_DISPATCH(dev, sgd_update, s.param.data(), s.buffers[0].data(), grad.data(), n, lr(), opt_.momentum,
              opt_.dampening, wd, opt_.nesterov, s.step == 1, scale);
}

}  // namespace dl::nn
