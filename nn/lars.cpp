// lars.cpp - see lars.h.
#include "nn/lars.h"

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
  if (s.param.ndim() != 1 || !opt_.exclude_bias_and_bn) {  // adapted: the trust ratio, on the device
    DL_DISPATCH(dev, lars_update, s.param.data(), s.buffers[0].data(), grad.data(), n, lr(), opt_.momentum,
                opt_.dampening, opt_.weight_decay, opt_.nesterov, s.step == 1, opt_.trust_coefficient, opt_.eps);
  } else {  // excluded (biases, BN): plain SGD momentum, no weight decay
    DL_DISPATCH(dev, sgd_update, s.param.data(), s.buffers[0].data(), grad.data(), n, lr(), opt_.momentum,
                opt_.dampening, 0.0f, opt_.nesterov, s.step == 1, 1.0f);
  }
}

}  // namespace dl::nn
