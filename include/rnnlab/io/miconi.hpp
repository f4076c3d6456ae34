#pragma once
/// \file io/miconi.hpp
/// Networks saved by Miconi's Hebbian program (Miconi 2017; the program paper 1 trained its
/// Hebbian networks with), read as a `ctrnn<Scalar, tanh>` the way the reference code's
/// `importHeb(name)` does (reference_code_spec §1.6, §1.1):
///
///     <name>_win.txt   N rows × (1 + M) numbers: input weights; column 0 is Miconi's unused
///                      input and is dropped, W_in = columns 1 … M
///     <name>_J.txt     N rows × N numbers: the recurrent matrix, row = receiving unit (W_rec = J)
///
/// Text: one matrix row per line, numbers separated by blanks (as numpy's `loadtxt` reads; empty
/// lines are skipped). The network then runs with Miconi's conventions (the reference's `_useHeb`):
/// tanh units, units 1 and 10 clamped at +1 and unit 11 at −1, the output read from unit 0
/// (y = tanh(x₀)), W_out = 0, b = 0, x0 = 0, α = 0.1 (the reference analyses at dt 0.1, whereas
/// Miconi trains with dt/τ = 1/30; `miconi_import_options::alpha`).
///
/// Errors (io_error) name the file and the line: a missing file, a token that is not a number, a
/// line with another count of numbers than the first, sizes that do not fit each other.

#include <Eigen/Core>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <rnnlab/core/activations.hpp>
#include <rnnlab/core/ctrnn.hpp>
#include <rnnlab/error.hpp>
#include <rnnlab/io/network.hpp>

namespace rnnlab::io {

/// How an imported Miconi network runs (defaults: the reference code's `importHeb` + `_useHeb`).
struct miconi_import_options {
  double alpha = 0.1;    ///< dt / τ
  Index output_unit = 0;  ///< the unit read out
  std::vector<clamped_unit> clamped = {{1, 1.0}, {10, 1.0}, {11, -1.0}};  ///< Miconi's bias units
};

/// Reads a blank-separated text matrix (one row per line). Throws io_error naming the file and
/// line on a missing file, a non-number, a ragged row or an empty file.
inline Eigen::MatrixXd read_text_matrix(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw io_error("rnnlab::io::read_text_matrix: cannot open file '" + file.string() + "'");
  std::vector<double> values;
  Index cols = -1, rows = 0, line_no = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream tokens(line);
    std::string tok;
    Index n = 0;
    while (tokens >> tok) {
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(tok.c_str(), &end);
      if (end == tok.c_str() || *end != '\0' || errno == ERANGE)
        throw io_error("rnnlab::io::read_text_matrix: file '" + file.string() + "', line " + std::to_string(line_no) +
                       ": expected a number, got '" + tok + "'");
      values.push_back(v);
      ++n;
    }
    if (n == 0) continue;
    if (cols < 0) cols = n;
    if (n != cols)
      throw io_error("rnnlab::io::read_text_matrix: file '" + file.string() + "', line " + std::to_string(line_no) +
                     ": expected " + std::to_string(cols) + " numbers (as the first row), got " + std::to_string(n));
    ++rows;
  }
  if (rows == 0) throw io_error("rnnlab::io::read_text_matrix: file '" + file.string() + "' holds no numbers");
  Eigen::MatrixXd m(rows, cols);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) m(i, j) = values[static_cast<std::size_t>(i * cols + j)];
  return m;
}

/// Reads Miconi's input-weight file `win_file` (N × (1 + M)) and recurrent file `J_file` (N × N)
/// as a tanh network with Miconi's conventions (file comment). Throws io_error naming the file on
/// bad content or sizes that do not fit (N ≤ a clamped unit, no input column).
template <class Scalar = double>
ctrnn<Scalar, activations::tanh> read_miconi_network(const std::filesystem::path& win_file,
                                                     const std::filesystem::path& J_file,
                                                     const miconi_import_options& options = {}) {
  const std::string fn = "rnnlab::io::read_miconi_network";
  const Eigen::MatrixXd win = read_text_matrix(win_file);
  const Eigen::MatrixXd J = read_text_matrix(J_file);
  const Index N = J.rows();
  if (J.cols() != N)
    throw io_error(fn + ": file '" + J_file.string() + "': expected a square N x N recurrent matrix, got " +
                   std::to_string(J.rows()) + " x " + std::to_string(J.cols()));
  if (win.rows() != N)
    throw io_error(fn + ": file '" + win_file.string() + "': expected " + std::to_string(N) +
                   " rows (one per unit, as in '" + J_file.string() + "'), got " + std::to_string(win.rows()));
  if (win.cols() < 1)
    throw io_error(fn + ": file '" + win_file.string() + "': expected 1 + M columns (column 0 is unused)");
  if (!win.allFinite() || !J.allFinite())
    throw io_error(fn + ": files '" + win_file.string() + "', '" + J_file.string() + "': non-finite weights");
  const Index M = win.cols() - 1;
  ctrnn_parameters<Scalar> p = ctrnn_parameters<Scalar>::zeros(N, M, 1);
  p.W_rec = J.cast<Scalar>();
  p.W_in = win.rightCols(M).cast<Scalar>();
  try {
    ctrnn<Scalar, activations::tanh> net(std::move(p), static_cast<Scalar>(options.alpha), readout_source::rates);
    net.set_clamped_units(options.clamped);
    net.set_readout_unit(options.output_unit);
    return net;
  } catch (const argument_error& e) {
    throw io_error(fn + ": files '" + win_file.string() + "', '" + J_file.string() + "': " + e.what());
  }
}

/// Reads `<prefix>_win.txt` and `<prefix>_J.txt` (the reference's `importHeb(prefix)`).
template <class Scalar = double>
ctrnn<Scalar, activations::tanh> read_miconi_network(const std::filesystem::path& prefix,
                                                     const miconi_import_options& options = {}) {
  return read_miconi_network<Scalar>(std::filesystem::path(prefix.string() + "_win.txt"),
                                     std::filesystem::path(prefix.string() + "_J.txt"), options);
}

/// Imports Miconi's files into the network folder `out` (io/network.hpp; preset "miconi_import",
/// the source files in network.json's extra). Returns the network.
template <class Scalar = double>
ctrnn<Scalar, activations::tanh> import_miconi_network(const std::filesystem::path& win_file,
                                                       const std::filesystem::path& J_file,
                                                       const std::filesystem::path& out,
                                                       const miconi_import_options& options = {}) {
  auto net = read_miconi_network<Scalar>(win_file, J_file, options);
  json extra = {{"source", "Miconi's Hebbian program (text format)"},
                {"win_file", win_file.string()},
                {"J_file", J_file.string()}};
  save_network(out, net, {"miconi_import", std::nullopt, extra});
  return net;
}

}  // namespace rnnlab::io
