#pragma once
/// \file error.hpp
/// rnnlab's exception hierarchy. Exceptions are for misuse (bad arguments, shapes that do not fit)
/// and I/O only; numerical trouble (divergence, non-convergence) is reported as a status in a
/// result, never thrown.
///
///     std::runtime_error
///       └── rnnlab::error
///             ├── rnnlab::argument_error   an argument has an invalid value (range, NaN, name)
///             │     └── rnnlab::shape_error a size or shape does not fit
///             └── rnnlab::io_error         a file is missing, truncated, of the wrong type or shape
///
/// Every message names the function, the argument, what was expected and what was found, e.g.
/// `rnnlab::ctrnn::simulate: argument 'inputs': expected 3 input channels, got 2`.

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace rnnlab {

/// Base class of every exception rnnlab throws.
class error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// An argument has a value outside its valid range (or is NaN, or names nothing known).
class argument_error : public error {
public:
  using error::error;
};

/// A size or shape does not fit (input channels, batch size, matrix dimensions).
class shape_error : public argument_error {
public:
  using argument_error::argument_error;
};

/// A file could not be read or written, or its content does not have the expected type or shape.
class io_error : public error {
public:
  using error::error;
};

namespace detail {

/// Streams every argument into one string.
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  out.precision(17);
  (out << ... << parts);
  return out.str();
}

/// "fn: argument 'arg': expected E, got A" — the one message shape used across the library.
template <class Expected, class Actual>
std::string argument_message(std::string_view function, std::string_view argument,
                             const Expected& expected, const Actual& actual) {
  return concat(function, ": argument '", argument, "': expected ", expected, ", got ", actual);
}

}  // namespace detail

/// Throws argument_error unless `condition` holds.
template <class Expected, class Actual>
void require(bool condition, std::string_view function, std::string_view argument,
             const Expected& expected, const Actual& actual) {
  if (!condition) throw argument_error(detail::argument_message(function, argument, expected, actual));
}

/// Throws shape_error unless `condition` holds.
template <class Expected, class Actual>
void require_shape(bool condition, std::string_view function, std::string_view argument,
                   const Expected& expected, const Actual& actual) {
  if (!condition) throw shape_error(detail::argument_message(function, argument, expected, actual));
}

}  // namespace rnnlab
