#pragma once
/// \file core/parameters.hpp
/// The parameter set of a CTRNN and named subsets of it.
///
/// `ctrnn_parameters` is a plain aggregate of Eigen matrices. The same type holds a network's
/// parameters, their gradients and optimiser moments, so learning rules work on it generically.
/// Trainable subsets are data (`param_set`), not subclasses.
///
/// Two ways to visit the groups:
///   - `for_each(fn(param, block))`: the six groups of the standard CTRNN (W_rec, W_in, W_out, b,
///     b_out, x0), keyed by the `param` enum (what BPTT differentiates and `param_set` names);
///   - `groups()`: every group, including the optional ones (output feedback W_fb), as a sequence
///     of named Eigen blocks (`parameter_block`). Optimisers and other generic code use this one
///     (learning/concepts.hpp `ParameterGroups`), so a model with other groups (a second network
///     type) needs no edit of any enum: it exposes its own `groups()`.
///
/// Optional groups are empty (0 × 0) when absent. W_fb (N × O) is FORCE's output feedback
/// (Sussillo & Abbott 2009): x_{t+1} = (1 − α) x_t + α (W_rec f(x_t) + W_in u_t + W_fb y(x_t) + b).

#include <Eigen/Core>

#include <array>
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include <rnnlab/error.hpp>
#include <rnnlab/tensor.hpp>
#include <rnnlab/names.hpp>

namespace rnnlab {

/// One parameter group of a CTRNN.
enum class param : unsigned {
  W_rec = 1u << 0,  ///< recurrent weights, N × N (row = receiving unit)
  W_in = 1u << 1,   ///< input weights, N × M
  W_out = 1u << 2,  ///< readout weights, O × N
  b = 1u << 3,      ///< recurrent bias, N
  b_out = 1u << 4,  ///< readout bias, O
  x0 = 1u << 5,     ///< learned initial state, N
};

inline constexpr std::array<param, 6> all_params = {param::W_rec, param::W_in, param::W_out,
                                                    param::b,     param::b_out, param::x0};

/// The names of param (rnnlab/names.hpp: to_name, from_name; the JSON spelling).
constexpr std::array<std::pair<param, std::string_view>, 6> enum_names(param) {
  return {{{param::W_rec, "W_rec"},
           {param::W_in, "W_in"},
           {param::W_out, "W_out"},
           {param::b, "b"},
           {param::b_out, "b_out"},
           {param::x0, "x0"}}};
}

/// A named parameter group as an Eigen block of its values (column-major, rows × cols).
/// `Scalar` may be const-qualified (read-only blocks of const parameters).
template <class Scalar>
struct parameter_block {
  using matrix_type = Eigen::Matrix<std::remove_const_t<Scalar>, Eigen::Dynamic, Eigen::Dynamic>;
  std::string_view name;  ///< "W_rec", "W_in", "W_out", "b", "b_out", "x0", "W_fb", ...
  Eigen::Map<std::conditional_t<std::is_const_v<Scalar>, const matrix_type, matrix_type>> values;
};

/// A set of parameter groups, e.g. the trainable ones.
class param_set {
public:
  constexpr param_set() = default;
  constexpr param_set(std::initializer_list<param> ps) {
    for (param p : ps) m_bits |= static_cast<unsigned>(p);
  }
  static constexpr param_set all() { return param_set{param::W_rec, param::W_in, param::W_out, param::b, param::b_out, param::x0}; }
  static constexpr param_set none() { return {}; }

  constexpr bool contains(param p) const noexcept { return (m_bits & static_cast<unsigned>(p)) != 0; }
  /// Whether the set holds the group named `name` (false for names outside `param`, e.g. W_fb).
  constexpr bool contains(std::string_view name) const noexcept {
    for (param p : all_params)
      if (to_name(p) == name) return contains(p);
    return false;
  }
  constexpr bool empty() const noexcept { return m_bits == 0; }
  constexpr param_set& insert(param p) noexcept {
    m_bits |= static_cast<unsigned>(p);
    return *this;
  }
  constexpr unsigned bits() const noexcept { return m_bits; }
  friend constexpr bool operator==(param_set, param_set) = default;

  /// Parses a comma-separated list such as "W_rec,W_in" (or "all").
  static param_set parse(std::string_view text) {
    if (text == "all") return all();
    param_set out;
    std::size_t start = 0;
    while (start <= text.size()) {
      const std::size_t end = std::min(text.find(',', start), text.size());
      const std::string_view name = text.substr(start, end - start);
      bool found = false;
      for (param p : all_params)
        if (to_name(p) == name) {
          out.insert(p);
          found = true;
        }
      require(found, "rnnlab::param_set::parse", "text",
              "a comma-separated list of W_rec, W_in, W_out, b, b_out, x0 (or 'all')",
              std::string("'") + std::string(text) + "'");
      start = end + 1;
    }
    return out;
  }

  std::string to_string() const {
    std::string s;
    for (param p : all_params)
      if (contains(p)) {
        if (!s.empty()) s += ',';
        s += to_name(p);
      }
    return s;
  }

private:
  unsigned m_bits = 0;
};

/// The parameters of a CTRNN x_{t+1} = (1−α)x_t + α(W_rec f(x_t) + W_in u_t + W_fb y_t + b),
/// y = W_out r + b_out (W_fb optional: empty when the network has no output feedback).
template <class Scalar>
struct ctrnn_parameters {
  using scalar_type = Scalar;
  using matrix_type = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  using vector_type = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

  matrix_type W_rec;  ///< N × N
  matrix_type W_in;   ///< N × M
  matrix_type W_out;  ///< O × N
  vector_type b;      ///< N
  vector_type b_out;  ///< O
  vector_type x0;     ///< N: the network's own initial state (used when none is given)
  matrix_type W_fb = matrix_type();  ///< N × O output feedback, or empty (0 × 0): none (optional group)

  /// Whether the optional output-feedback group is present.
  bool has_feedback() const noexcept { return W_fb.size() != 0; }

  /// All-zero parameters of the given sizes.
  static ctrnn_parameters zeros(Index n_units, Index n_inputs, Index n_outputs) {
    require_shape(n_units > 0, "rnnlab::ctrnn_parameters::zeros", "n_units", "> 0", n_units);
    require_shape(n_inputs >= 0, "rnnlab::ctrnn_parameters::zeros", "n_inputs", ">= 0", n_inputs);
    require_shape(n_outputs >= 0, "rnnlab::ctrnn_parameters::zeros", "n_outputs", ">= 0", n_outputs);
    ctrnn_parameters p;
    p.W_rec = matrix_type::Zero(n_units, n_units);
    p.W_in = matrix_type::Zero(n_units, n_inputs);
    p.W_out = matrix_type::Zero(n_outputs, n_units);
    p.b = vector_type::Zero(n_units);
    p.b_out = vector_type::Zero(n_outputs);
    p.x0 = vector_type::Zero(n_units);
    return p;
  }

  /// Zeros with the same shapes as `other` (for gradients and optimiser moments).
  static ctrnn_parameters zeros_like(const ctrnn_parameters& other) {
    ctrnn_parameters p = zeros(other.n_units(), other.n_inputs(), other.n_outputs());
    if (other.has_feedback()) p.W_fb = matrix_type::Zero(other.W_fb.rows(), other.W_fb.cols());
    return p;
  }

  Index n_units() const noexcept { return W_rec.rows(); }
  Index n_inputs() const noexcept { return W_in.cols(); }
  Index n_outputs() const noexcept { return W_out.rows(); }

  /// Calls fn(param, group) for every group, in the order of `all_params`.
  template <class Fn>
  void for_each(Fn&& fn) {
    fn(param::W_rec, W_rec);
    fn(param::W_in, W_in);
    fn(param::W_out, W_out);
    fn(param::b, b);
    fn(param::b_out, b_out);
    fn(param::x0, x0);
  }
  template <class Fn>
  void for_each(Fn&& fn) const {
    fn(param::W_rec, W_rec);
    fn(param::W_in, W_in);
    fn(param::W_out, W_out);
    fn(param::b, b);
    fn(param::b_out, b_out);
    fn(param::x0, x0);
  }

  /// Every group as a named block, the six standard ones first (in the order of `all_params`),
  /// then the optional ones (W_fb; an empty block when absent).
  std::array<parameter_block<Scalar>, 7> groups() {
    return {{{"W_rec", block(W_rec)}, {"W_in", block(W_in)}, {"W_out", block(W_out)}, {"b", block(b)},
             {"b_out", block(b_out)}, {"x0", block(x0)}, {"W_fb", block(W_fb)}}};
  }
  std::array<parameter_block<const Scalar>, 7> groups() const {
    return {{{"W_rec", block(W_rec)}, {"W_in", block(W_in)}, {"W_out", block(W_out)}, {"b", block(b)},
             {"b_out", block(b_out)}, {"x0", block(x0)}, {"W_fb", block(W_fb)}}};
  }

  /// Checks that the shapes agree with each other and every value is finite; throws shape_error
  /// or argument_error naming `caller` and the offending group.
  void validate(std::string_view caller) const {
    const Index n = W_rec.rows();
    // Messages are built with detail::concat: GCC 12 misreports "(" + std::to_string(...) chains
    // under -Wrestrict (PR 105651), which would break users' -Werror builds.
    using rnnlab::detail::concat;
    const auto shape = [](Index r, Index c) { return concat("(", r, ", ", c, ")"); };
    require_shape(n > 0 && W_rec.cols() == n, caller, "W_rec", "a square (N, N) matrix with N > 0",
                  shape(W_rec.rows(), W_rec.cols()));
    require_shape(W_in.rows() == n, caller, "W_in", concat("(", n, ", M)"), shape(W_in.rows(), W_in.cols()));
    require_shape(W_out.cols() == n, caller, "W_out", concat("(O, ", n, ")"),
                  shape(W_out.rows(), W_out.cols()));
    require_shape(b.size() == n, caller, "b", concat("length ", n), b.size());
    require_shape(b_out.size() == W_out.rows(), caller, "b_out", concat("length ", W_out.rows()),
                  b_out.size());
    require_shape(x0.size() == n, caller, "x0", concat("length ", n), x0.size());
    require_shape(!has_feedback() || (W_fb.rows() == n && W_fb.cols() == W_out.rows()), caller, "W_fb",
                  concat("empty (no feedback) or (", n, ", ", W_out.rows(), ")"), shape(W_fb.rows(), W_fb.cols()));
    for (const auto& g : groups())
      require(g.values.allFinite(), caller, g.name, "finite values", "NaN or infinity");
  }

  /// Exact (bit-wise value) equality of every group, shapes included.
  friend bool operator==(const ctrnn_parameters& a, const ctrnn_parameters& c) {
    const auto same = [](const auto& x, const auto& y) {
      return x.rows() == y.rows() && x.cols() == y.cols() && x == y;
    };
    return same(a.W_rec, c.W_rec) && same(a.W_in, c.W_in) && same(a.W_out, c.W_out) && same(a.b, c.b) &&
           same(a.b_out, c.b_out) && same(a.x0, c.x0) &&
           (a.has_feedback() || c.has_feedback() ? same(a.W_fb, c.W_fb) : true);
  }

private:
  template <class M>
  static auto block(M& m) {
    using S = std::conditional_t<std::is_const_v<M>, const Scalar, Scalar>;
    using map = decltype(parameter_block<S>::values);
    return map(m.data(), m.rows(), m.cols());
  }
};

}  // namespace rnnlab
