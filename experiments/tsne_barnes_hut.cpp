// tsne_barnes_hut.cpp - the Barnes-Hut approximation of the t-SNE gradient (van der Maaten 2014):
//   attraction  F_attr,i = sum_{j in nnz(P_i)} p_ij w_ij (yi - yj)           (sparse P, exact)
//   repulsion   F_rep,i  = sum_j w_ij^2 (yi - yj),  Z = sum_{i != j} w_ij  (quadtree-approximated)
//   dC/dyi = 4 (F_attr,i - F_rep,i / Z),  w_ij = 1 / (1 + |yi - yj|^2)
// A quadtree cell of width w whose centre of mass is at distance r from yi stands for all its
// points when w^2 / r^2 < theta^2 (sklearn's test on the cell's squared max width).
// The tree is built sequentially (insertion in point order, so its shape is deterministic); the
// per-point traversals run in parallel and Z is summed over points in index order.
#include <algorithm>
#include <cmath>
#include <limits>

#include "experiments/tsne.h"
#include "tensor/error.h"

namespace dl::tsne::detail {
namespace {

constexpr int kMaxDepth = 48;  // cells narrower than root/2^48 hold several points as one leaf

struct Cell {
  double cx = 0, cy = 0, half = 0;  // square cell: centre and half width
  double sx = 0, sy = 0;            // sum of the member positions (centre of mass = s / count)
  int64_t count = 0;
  int64_t first_child = -1;         // children first_child + (x >= cx) + 2 (y >= cy); -1 = leaf
  int64_t head = -1;                // leaf: first member (linked through next[])
};

class QuadTree {
 public:
  QuadTree(const double* Y, int64_t N) : Y_(Y), next_(N, -1), leaf_of_(N, -1) {
    double lo[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
    double hi[2] = {-lo[0], -lo[1]};
    for (int64_t i = 0; i < N; i++)
      for (int a = 0; a < 2; a++) lo[a] = std::min(lo[a], Y[2 * i + a]), hi[a] = std::max(hi[a], Y[2 * i + a]);
    Cell root;
    root.cx = 0.5 * (lo[0] + hi[0]), root.cy = 0.5 * (lo[1] + hi[1]);
    const double w = std::max(hi[0] - lo[0], hi[1] - lo[1]);
    root.half = 0.5 * w * (1.0 + 1e-6) + 1e-300;  // every point strictly inside
    cells_.reserve(size_t(4 * N + 1));
    cells_.push_back(root);
    for (int64_t i = 0; i < N; i++) insert(i);
  }

  // Repulsion on point i: accumulates sum_j w^2 (yi - yj) into f and returns sum_{j != i} w_ij.
  double repulsion(int64_t i, double theta2, double f[2]) const {
    const double xi = Y_[2 * i], yi = Y_[2 * i + 1];
    double z = 0, fx = 0, fy = 0;
    int64_t stack[4 * kMaxDepth + 8];
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      const Cell& c = cells_[stack[--top]];
      if (c.count == 0) continue;
      double n = double(c.count), sx = c.sx, sy = c.sy;
      if (c.first_child < 0 && leaf_of_[i] == &c - cells_.data()) {
        // the leaf holding i itself: the other members (duplicates or depth-limited neighbours)
        if (c.count == 1) continue;
        n -= 1, sx -= xi, sy -= yi;
      }
      const double dx = xi - sx / n, dy = yi - sy / n;
      const double d2 = dx * dx + dy * dy;
      const double width2 = 4.0 * c.half * c.half;
      if (c.first_child < 0 || width2 < theta2 * d2) {
        const double w = 1.0 / (1.0 + d2);
        z += n * w;
        fx += n * w * w * dx, fy += n * w * w * dy;
      } else {
        for (int q = 3; q >= 0; q--) stack[top++] = c.first_child + q;
      }
    }
    f[0] = fx, f[1] = fy;
    return z;
  }

 private:
  int quadrant(const Cell& c, double x, double y) const { return (x >= c.cx ? 1 : 0) + (y >= c.cy ? 2 : 0); }

  void insert(int64_t p) {
    const double x = Y_[2 * p], y = Y_[2 * p + 1];
    int64_t node = 0;
    for (int depth = 0;; depth++) {
      if (cells_[node].first_child >= 0) {  // internal: add and descend
        Cell& c = cells_[node];
        c.count++, c.sx += x, c.sy += y;
        node = c.first_child + quadrant(c, x, y);
        continue;
      }
      Cell& leaf = cells_[node];
      const bool same = leaf.head >= 0 && Y_[2 * leaf.head] == x && Y_[2 * leaf.head + 1] == y;
      if (leaf.count == 0 || same || depth >= kMaxDepth) {
        next_[p] = leaf.head, leaf.head = p, leaf_of_[p] = node;
        leaf.count++, leaf.sx += x, leaf.sy += y;
        return;
      }
      // Split: the members (all at one position, else the leaf would have split earlier) move
      // to the child quadrant of that position; then descend again from this (now internal) cell.
      const int64_t first = int64_t(cells_.size());
      const Cell parent = leaf;  // copy: push_back below may move the vector
      for (int q = 0; q < 4; q++) {
        Cell ch;
        ch.half = 0.5 * parent.half;
        ch.cx = parent.cx + ((q & 1) ? ch.half : -ch.half);
        ch.cy = parent.cy + ((q & 2) ? ch.half : -ch.half);
        cells_.push_back(ch);
      }
      const int64_t target = first + quadrant(parent, Y_[2 * parent.head], Y_[2 * parent.head + 1]);
      Cell& t = cells_[target];
      t.head = parent.head, t.count = parent.count, t.sx = parent.sx, t.sy = parent.sy;
      for (int64_t m = parent.head; m >= 0; m = next_[m]) leaf_of_[m] = target;
      cells_[node].first_child = first, cells_[node].head = -1;
      depth--;  // revisit this cell as an internal one
    }
  }

  const double* Y_;
  std::vector<Cell> cells_;
  std::vector<int64_t> next_, leaf_of_;
};

}  // namespace

double kl_gradient_bh(const SparseP& P, const double* Y, double exaggeration, double theta, double* grad,
                      bool want_kl) {
  const int64_t N = P.n;
  DL_CHECK(int64_t(P.indptr.size()) == N + 1, "t-SNE Barnes-Hut: indptr has ", P.indptr.size(),
           " entries for N = ", N);
  const QuadTree tree(Y, N);
  const double theta2 = theta * theta;
  std::vector<double> zrow(N), rep(2 * N), attr(2 * N);
#pragma omp parallel for schedule(dynamic, 64) if (N >= 1024)  // below, a barrier costs more than the work
  for (int64_t i = 0; i < N; i++) {
    double f[2];
    zrow[i] = tree.repulsion(i, theta2, f);
    rep[2 * i] = f[0], rep[2 * i + 1] = f[1];
    double ax = 0, ay = 0;
    for (int64_t t = P.indptr[i]; t < P.indptr[i + 1]; t++) {
      const int64_t j = P.indices[t];
      const double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      const double pw = P.values[t] / (1.0 + dx * dx + dy * dy);
      ax += pw * dx, ay += pw * dy;
    }
    attr[2 * i] = ax, attr[2 * i + 1] = ay;
  }
  double Z = 0;
  for (int64_t i = 0; i < N; i++) Z += zrow[i];
  for (int64_t i = 0; i < 2 * N; i++) grad[i] = 4.0 * (exaggeration * attr[i] - rep[i] / Z);
  if (!want_kl) return 0.0;
  // KL over the nonzeros of P (sklearn's BH error): sum p log(p / q) with q = w / Z, both
  // floored at float32's smallest normal as sklearn does.
  const double tiny = double(std::numeric_limits<float>::min());
  double kl = 0;
  for (int64_t i = 0; i < N; i++)
    for (int64_t t = P.indptr[i]; t < P.indptr[i + 1]; t++) {
      const int64_t j = P.indices[t];
      const double dx = Y[2 * i] - Y[2 * j], dy = Y[2 * i + 1] - Y[2 * j + 1];
      const double p = P.values[t] * exaggeration, q = 1.0 / (1.0 + dx * dx + dy * dy) / Z;
      kl += p * std::log(std::max(p, tiny) / std::max(q, tiny));
    }
  return kl;
}

}  // namespace dl::tsne::detail
