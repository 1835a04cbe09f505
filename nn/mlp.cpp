// mlp.cpp - see mlp.h.
#include "nn/mlp.h"

namespace dl::nn {

MLP::MLP(int64_t in_dim, int64_t hidden_dim, int64_t out_dim, float bn_eps, Generator& gen) {
  fc1 = register_module("fc1", std::make_shared<Linear>(in_dim, hidden_dim, true, gen));
  bn = register_module("bn", std::make_shared<BatchNorm1d>(hidden_dim, bn_eps));
  fc2 = register_module("fc2", std::make_shared<Linear>(hidden_dim, out_dim, true, gen));
}

Tensor MLP::forward(const Tensor& x) { return fc2->forward(bn->forward_relu(fc1->forward(x))); }

}  // namespace dl::nn
