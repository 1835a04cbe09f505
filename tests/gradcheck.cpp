#include "tests/gradcheck.h"

#include <cmath>
#include <sstream>

namespace dl::test {

Tensor random_tensor(const Shape& shape, uint64_t seed, float lo, float hi, bool requires_grad) {
  Generator gen(seed);
  Tensor t = rand_uniform(shape, lo, hi, gen);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

std::vector<float> lcg_values(size_t n, unsigned seed) {
  std::vector<float> v(n);
  unsigned s = seed;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>((s >> 8) & 0xFFFF) / 32768.0f - 1.0f;
  }
  return v;
}

static double weighted_sum(const Tensor& y, const std::vector<float>& r) {
  const std::vector<float> v = y.to_vector();
  double s = 0.0;
  for (size_t i = 0; i < v.size(); ++i) s += static_cast<double>(v[i]) * r[i];
  return s;
}

::testing::AssertionResult gradcheck(const Fn& f, const std::vector<Tensor>& inputs, const GradcheckOptions& opt) {
  // Analytic: backward with seed r gives d(sum(f * r))/dx.
  for (const Tensor& x : inputs) const_cast<Tensor&>(x).zero_grad();
  Tensor y = f(inputs);
  Generator gen(opt.seed);
  Tensor r = rand_uniform(y.shape(), -1.0f, 1.0f, gen, y.device());
  const std::vector<float> rv = r.to_vector();
  y.backward(r);

  std::ostringstream failures;
  int n_fail = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    if (!x.requires_grad()) continue;
    if (!x.grad().defined())
      return ::testing::AssertionFailure() << "input " << k << " " << x.shape().str() << " received no gradient";
    const std::vector<float> analytic = x.grad().to_vector();
    const int64_t n = x.numel();
    std::vector<int64_t> idx;
    if (n <= opt.max_checks_per_input) {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    } else {
      Generator pick(opt.seed + k + 1);
      for (int i = 0; i < opt.max_checks_per_input; ++i) idx.push_back(pick.randint(0, n));
    }
    NoGradGuard no_grad;
    Tensor probe = x.detach();  // shares storage: perturb in place, evaluate, restore
    std::vector<Tensor> args = inputs;
    args[k] = probe;
    std::vector<float> host = probe.to_vector();
    for (int64_t i : idx) {
      const float orig = host[i];
      auto eval_at = [&](float v) {
        host[i] = v;
        probe.copy_(from_vector(host, probe.shape(), probe.device()));
        return weighted_sum(f(args), rv);
      };
      const double h = opt.eps;
      const double numeric =
          (-eval_at(orig + 2 * opt.eps) + 8 * eval_at(orig + opt.eps) - 8 * eval_at(orig - opt.eps) +
           eval_at(orig - 2 * opt.eps)) / (12 * h);
      eval_at(orig);
      const double err = std::fabs(analytic[i] - numeric);
      if (err > opt.atol + opt.rtol * std::fabs(numeric)) {
        if (n_fail < 8)
          failures << "  input " << k << " " << x.shape().str() << " [" << i << "]: analytic " << analytic[i]
                   << " vs numeric " << numeric << "\n";
        ++n_fail;
      }
    }
  }
  if (n_fail) return ::testing::AssertionFailure() << n_fail << " gradient mismatches:\n" << failures.str();
  return ::testing::AssertionSuccess();
}

double nmse(const std::vector<float>& a, const std::vector<float>& ref) {
  double num = 0.0, den = 0.0;
  for (size_t i = 0; i < a.size() && i < ref.size(); ++i) {
    const double d = static_cast<double>(a[i]) - ref[i];
    num += d * d;
    den += static_cast<double>(ref[i]) * ref[i];
  }
  return den > 0 ? num / den : num;
}

::testing::AssertionResult all_close(const std::vector<float>& got, const std::vector<float>& ref, float atol,
                                     float rtol) {
  if (got.size() != ref.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " vs " << ref.size();
  std::ostringstream os;
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const bool ok = std::fabs(got[i] - ref[i]) <= atol + rtol * std::fabs(ref[i]);
    if (!ok || std::isnan(got[i]) != std::isnan(ref[i])) {
      if (bad < 5) os << "  [" << i << "] got " << got[i] << " expected " << ref[i] << "\n";
      ++bad;
    }
  }
  if (bad)
    return ::testing::AssertionFailure() << bad << " of " << got.size() << " elements differ (nmse "
                                         << nmse(got, ref) << "):\n" << os.str();
  return ::testing::AssertionSuccess();
}

}  // namespace dl::test
