// one_step.h - one training step of a tiny autoencoder, printed as it happens: the batch from the
// loader, every tape node as the forward records it, the backward order, where each gradient is
// written (=) and where accumulated (+=), and a parameter before and after Adam's update.
// The walkthrough in docs/one_step.md is this output; experiments/bin/one_step.cpp prints it.
//
// The model mirrors the AE method at toy size (experiments/model.h):
//   x (4, 16) = a batch of four 1x4x4 images, flattened by the loader's transform
//   h = encoder(x), encoder = MLP 16 -> 8 -> 4 (Linear, BatchNorm1d, ReLU, Linear)
//   ae = mse(decoder(h), x), decoder = Linear 4 -> 16;  cls = cross_entropy(probe(h), y), probe =
//   Linear 4 -> 3;  total = ae + cls. Unlike the paper's probe (which sees h.detach()), this probe
//   trains through h, so h has two consumers and its gradient is summed.
#pragma once
#include <ostream>

namespace dl::experiments {

void print_one_step(std::ostream& out);

}  // namespace dl::experiments
