// one_step - prints one training step of a tiny autoencoder through the tape (experiments/one_step.h);
// docs/one_step.md walks through its output. No dataset files needed: the images are generated.
#include <cstdio>
#include <iostream>

#include "experiments/one_step.h"
#include "tensor/error.h"

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(stderr, "usage: %s (no options): prints one training step of a tiny autoencoder\n", argv[0]);
    return 2;
  }
  try {
    dl::experiments::print_one_step(std::cout);
  } catch (const dl::Error& e) {
    std::fprintf(stderr, "one_step: %s\n", e.what());
    return 1;
  }
  return 0;
}
