#pragma once
/// \file tensor.hpp
/// A small owning, contiguous, row-major N-d array, the container for sequences.
///
/// Sequences follow numpy's layout (T, B, dim), row-major: one time slice t is a contiguous block
/// of B·dim values which maps, without a copy, onto an Eigen column-major dim × B matrix (one
/// column per trial). That is what makes a whole batch step one GEMM. Saved with io/npy.hpp, a
/// tensor is read by numpy as an array of the same shape.
///
/// rnnlab keeps its core free of xtensor on purpose (compile time, small needs); io/ converts.

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cstddef>
#include <numeric>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include <rnnlab/error.hpp>

namespace rnnlab {

using Index = Eigen::Index;

/// Formats a shape as numpy does: "(750, 500, 2)".
template <std::size_t Rank>
std::string shape_string(const std::array<Index, Rank>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < Rank; ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (Rank == 1) s += ",";
  return s + ")";
}

/// Owning row-major array of rank `Rank` with Eigen-aligned storage.
template <class Scalar, std::size_t Rank>
class tensor {
  static_assert(Rank >= 1 && Rank <= 4, "rnnlab::tensor supports ranks 1 to 4");

public:
  using value_type = Scalar;
  using shape_type = std::array<Index, Rank>;
  static constexpr std::size_t rank = Rank;

  tensor() { m_shape.fill(0); }

  /// A tensor of the given shape with every element set to `fill`.
  explicit tensor(const shape_type& shape, Scalar fill = Scalar(0)) : m_shape(shape) {
    for (std::size_t i = 0; i < Rank; ++i)
      require_shape(shape[i] >= 0, "rnnlab::tensor::tensor", "shape", "non-negative extents",
                    shape_string(shape));
    m_data.assign(static_cast<std::size_t>(element_count(shape)), fill);
  }

  const shape_type& shape() const noexcept { return m_shape; }
  Index shape(std::size_t axis) const noexcept { return m_shape[axis]; }
  Index size() const noexcept { return static_cast<Index>(m_data.size()); }
  bool empty() const noexcept { return m_data.empty(); }

  Scalar* data() noexcept { return m_data.data(); }
  const Scalar* data() const noexcept { return m_data.data(); }
  std::span<Scalar> span() noexcept { return {m_data.data(), m_data.size()}; }
  std::span<const Scalar> span() const noexcept { return {m_data.data(), m_data.size()}; }

  /// Element access by multi-index (unchecked, like Eigen's operator()).
  template <class... I>
    requires(sizeof...(I) == Rank)
  Scalar& operator()(I... idx) noexcept {
    return m_data[static_cast<std::size_t>(offset(static_cast<Index>(idx)...))];
  }
  template <class... I>
    requires(sizeof...(I) == Rank)
  const Scalar& operator()(I... idx) const noexcept {
    return m_data[static_cast<std::size_t>(offset(static_cast<Index>(idx)...))];
  }

  /// Rank 3 (T, B, D): time slice t as an Eigen column-major D × B matrix, no copy.
  auto slice(Index t) noexcept
    requires(Rank == 3)
  {
    return Eigen::Map<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(
        data() + t * m_shape[1] * m_shape[2], m_shape[2], m_shape[1]);
  }
  auto slice(Index t) const noexcept
    requires(Rank == 3)
  {
    return Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>>(
        data() + t * m_shape[1] * m_shape[2], m_shape[2], m_shape[1]);
  }

  /// Rank 2 (T, B): row t as an Eigen row vector of length B, no copy.
  auto row(Index t) noexcept
    requires(Rank == 2)
  {
    return Eigen::Map<Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(data() + t * m_shape[1], m_shape[1]);
  }
  auto row(Index t) const noexcept
    requires(Rank == 2)
  {
    return Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>>(data() + t * m_shape[1], m_shape[1]);
  }

  /// The whole buffer as a flat Eigen array (for element-wise work).
  auto flat() noexcept { return Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>(data(), size()); }
  auto flat() const noexcept {
    return Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>(data(), size());
  }

  void fill(Scalar value) { std::fill(m_data.begin(), m_data.end(), value); }

  /// Element-wise conversion to another scalar type.
  template <class Other>
  tensor<Other, Rank> cast() const {
    tensor<Other, Rank> out(m_shape);
    std::transform(m_data.begin(), m_data.end(), out.data(), [](Scalar v) { return static_cast<Other>(v); });
    return out;
  }

  friend bool operator==(const tensor& a, const tensor& b) {
    return a.m_shape == b.m_shape && a.m_data == b.m_data;
  }

  static Index element_count(const shape_type& shape) noexcept {
    return std::accumulate(shape.begin(), shape.end(), Index{1}, std::multiplies<>{});
  }

private:
  template <class... I>
  Index offset(I... idx) const noexcept {
    const std::array<Index, Rank> index{idx...};
    Index off = 0;
    for (std::size_t i = 0; i < Rank; ++i) off = off * m_shape[i] + index[i];
    return off;
  }

  shape_type m_shape;
  std::vector<Scalar, Eigen::aligned_allocator<Scalar>> m_data;
};

/// A batch of sequences, (T, B, dim).
template <class Scalar>
using sequence = tensor<Scalar, 3>;

}  // namespace rnnlab
