// one_thread.h - a fixture for the tests that train the smoke networks end to end: they run on
// one OpenMP thread (restored afterwards), so the rest of the suite keeps the thread count it was
// started with. Why: the smoke networks are tiny (width 4), and on 2 cores shared with other jobs
// two threads mostly wait for each other (measured ~5x slower than one). Runs that a test
// compares bit for bit (resumed against uninterrupted) also need one fixed thread count, since
// the OpenBLAS calls of matmul/linear may round differently with 1 and 2 threads (README.md,
// "Determinism").
#pragma once
#include <gtest/gtest.h>
#include <omp.h>

namespace dl::test {

class OneThreadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
  }
  void TearDown() override { omp_set_num_threads(saved_); }

 private:
  int saved_ = 1;
};

}  // namespace dl::test
