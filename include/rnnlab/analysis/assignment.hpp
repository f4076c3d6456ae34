#pragma once
/// \file analysis/assignment.hpp
/// The linear assignment problem: given an n × m cost matrix, a one-to-one map of rows to columns
/// of least total cost (Kuhn 1955; Munkres 1957; here the shortest-augmenting-path form with dual
/// potentials, O(n²m)). Used to match fixed points between networks (dynamics/topology.hpp) and
/// units between networks (degeneracy.hpp: the permutation-invariant weight distance).

#include <Eigen/Core>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>

namespace rnnlab {

/// A minimum-cost assignment of the rows of `cost` (n × m, n ≤ m or n > m) to distinct columns.
struct assignment {
  std::vector<Index> row_to_col;  ///< −1 for a row left unassigned (only when n > m)
  double cost = 0.0;              ///< sum of the assigned entries
};

/// The Hungarian algorithm (shortest augmenting paths with dual potentials), O(n²m).
inline assignment solve_assignment(const Eigen::Ref<const Eigen::MatrixXd>& cost);

// ---------------------------------------------------------------------------------------------
// Definitions

inline assignment solve_assignment(const Eigen::Ref<const Eigen::MatrixXd>& cost) {
  const Index n0 = cost.rows(), m0 = cost.cols();
  require(cost.allFinite(), "rnnlab::solve_assignment", "cost", "finite entries", "NaN or infinity");
  assignment out;
  out.row_to_col.assign(static_cast<std::size_t>(n0), -1);
  if (n0 == 0 || m0 == 0) return out;
  // Work with rows ≤ columns; transpose otherwise.
  const bool transposed = n0 > m0;
  const Eigen::MatrixXd C = transposed ? Eigen::MatrixXd(cost.transpose()) : Eigen::MatrixXd(cost);
  const Index n = C.rows(), m = C.cols();
  // Dual potentials u (rows), v (columns); col_row[j] = row matched to column j (1-based, 0 = free);
  // column 0 is a virtual column that holds the row being inserted.
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(static_cast<std::size_t>(n + 1), 0.0), v(static_cast<std::size_t>(m + 1), 0.0);
  std::vector<Index> col_row(static_cast<std::size_t>(m + 1), 0), back(static_cast<std::size_t>(m + 1), 0);
  std::vector<double> slack(static_cast<std::size_t>(m + 1));
  std::vector<char> visited(static_cast<std::size_t>(m + 1));
  const auto at = [](auto& vec, Index i) -> auto& { return vec[static_cast<std::size_t>(i)]; };
  for (Index row = 1; row <= n; ++row) {
    // Grow a shortest-path tree from `row` in reduced costs until it reaches a free column.
    at(col_row, 0) = row;
    Index col = 0;
    std::fill(slack.begin(), slack.end(), inf);
    std::fill(visited.begin(), visited.end(), 0);
    do {
      at(visited, col) = 1;
      const Index r = at(col_row, col);
      double delta = inf;
      Index next = 0;
      for (Index j = 1; j <= m; ++j) {
        if (at(visited, j)) continue;
        const double reduced = C(r - 1, j - 1) - at(u, r) - at(v, j);
        if (reduced < at(slack, j)) {
          at(slack, j) = reduced;
          at(back, j) = col;
        }
        if (at(slack, j) < delta) {
          delta = at(slack, j);
          next = j;
        }
      }
      // Shift the potentials so that the tight edge to `next` becomes usable.
      for (Index j = 0; j <= m; ++j) {
        if (at(visited, j)) {
          at(u, at(col_row, j)) += delta;
          at(v, j) -= delta;
        } else {
          at(slack, j) -= delta;
        }
      }
      col = next;
    } while (at(col_row, col) != 0);
    // Flip the matching along the path back to the virtual column.
    do {
      const Index prev = at(back, col);
      at(col_row, col) = at(col_row, prev);
      col = prev;
    } while (col != 0);
  }
  for (Index j = 1; j <= m; ++j) {
    const Index r = at(col_row, j);
    if (r == 0) continue;
    if (transposed)
      out.row_to_col[static_cast<std::size_t>(j - 1)] = r - 1;
    else
      out.row_to_col[static_cast<std::size_t>(r - 1)] = j - 1;
  }
  for (Index i = 0; i < n0; ++i) {
    const Index j = out.row_to_col[static_cast<std::size_t>(i)];
    if (j >= 0) out.cost += cost(i, j);
  }
  return out;
}

}  // namespace rnnlab
