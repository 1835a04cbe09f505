// sgd.cpp - see sgd.h.
#include "nn/sgd.h"

#include "kernels/cpu/sgd.h"
#include "kernels/ref/sgd.h"
#include "kernels/cuda/sgd.h"
#include "kernels/dispatch.h"

namespace dl::nn {

SGD::SGD(NamedTensorList params, const SGDOptions& options)
    : Optimizer(std::move(params), options.lr, {"momentum_buffer"}), opt_(options) {
  DL_CHECK(opt_.momentum >= 0 && opt_.weight_decay >= 0, "SGD: momentum and weight_decay must be >= 0");
  DL_CHECK(!opt_.nesterov || (opt_.momentum > 0 && opt_.dampening == 0),
           "SGD: Nesterov momentum requires a momentum > 0 and zero dampening (as PyTorch)");
}

void SGD::update(Slot& s, const Tensor& grad) {
  DL_DISPATCH(s.param.device(), sgd_update, s.param.data(), s.buffers[0].data(), grad.data(), s.param.numel(), lr(),
              opt_.momentum, opt_.dampening, opt_.weight_decay, opt_.nesterov, s.step == 1, 1.0f);
}

}  // namespace dl::nn
