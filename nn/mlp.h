// mlp.h - the ssl-sandbox MLP block (docs/protocol.md 1.2): fc1 = Linear(in, hidden) -> bn =
// BatchNorm1d(hidden, eps) -> ReLU -> fc2 = Linear(hidden, out). The reference passes out as
// BatchNorm1d's second positional argument, i.e. eps = output_dim (10, 128, 256); the faithful
// preset reproduces that with bn_eps = out, the standard preset uses 1e-5. Momentum 0.1.
#pragma once
#include "nn/layers.h"

namespace dl::nn {

class MLP : public Module {
 public:
  MLP(int64_t in_dim, int64_t hidden_dim, int64_t out_dim, float bn_eps, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;  // (N, in) -> (N, out)
  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<BatchNorm1d> bn;
};

}  // namespace dl::nn
