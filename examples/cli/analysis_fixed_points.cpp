// Subcommand `fixed-points`: the certified fixed points and slow points of a saved network at one
// or more static inputs (docs/fixed_points.md), written as .npy arrays plus a JSON summary.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"  // GCC 12 false positive in std::string concatenation (PR 105651)
#endif
#include "commands.hpp"

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/probe_sets.hpp>
#include <rnnlab/io.hpp>

#include <chrono>
#include <iostream>
#include <sstream>

namespace rnnlab::cli {
namespace {

struct fixed_points_args {
  std::string net_dir, out;
  std::vector<std::string> inputs{"zero"};
  Index starts = 1024;
  std::string start_from = "box";
  double box = 5.0;
  std::uint64_t seed = 0;
  double tolerance = 1e-10;
  double dedup = 1e-6;
  double slow_q = 5e-7;
  int max_iterations = 100;
  Index modes = 0;
  int threads = 0;
};

/// Parses one --input value: a probe-set name, or M comma-separated numbers.
probe_set parse_input(const std::string& text, Index n_inputs) {
  const std::string expected = "M comma-separated finite numbers (M = the network's n_inputs) or a probe set: "
                               "large, small, sparse (RDM) or zero";
  if (!text.empty() && (std::isalpha(static_cast<unsigned char>(text[0])) != 0)) {
    if (text != "large" && text != "small" && text != "sparse" && text != "zero")
      throw argument_error(rnnlab::detail::argument_message("rnnlab fixed-points", "--input", expected, "'" + text + "'"));
    return probe_set_by_name(text, n_inputs);
  }
  std::vector<double> values;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      std::size_t used = 0;
      values.push_back(std::stod(item, &used));
      if (used != item.size() || !std::isfinite(values.back())) throw std::invalid_argument(item);
    } catch (const std::exception&) {
      throw argument_error(rnnlab::detail::argument_message("rnnlab fixed-points", "--input",
                                                            expected, "'" + text + "'"));
    }
  }
  require_shape(static_cast<Index>(values.size()) == n_inputs, "rnnlab fixed-points", "--input",
                detail::fp_text("", n_inputs, " values (the network's n_inputs)"), values.size());
  probe_set s{"custom", n_inputs, n_inputs == 1 ? 1 : static_cast<int>(n_inputs / 2), {}};
  probe_input p;
  p.u = Eigen::Map<const Eigen::VectorXd>(values.data(), n_inputs);
  p.value = values[0];
  // label: the non-zero evidence channel under the active context, if the layout is N-CDI's
  if (n_inputs > 1 && n_inputs % 2 == 0) {
    const Index n = n_inputs / 2;
    for (Index c = 0; c < n; ++c)
      if (p.u(n + c) == 1.0) {
        p.context = static_cast<int>(c);
        p.value = p.u(c);
      }
  }
  s.inputs.push_back(std::move(p));
  return s;
}

template <class F>
void run(const ctrnn<double, F>& net, const fixed_points_args& a) {
  const auto t0 = std::chrono::steady_clock::now();
  const Index N = net.n_units(), M = net.n_inputs();
  probe_set probes{"", M, M == 1 ? 1 : static_cast<int>(M / 2), {}};
  for (const auto& text : a.inputs) {
    auto s = parse_input(text, M);
    probes.name += (probes.name.empty() ? "" : "+") + s.name;
    for (auto& p : s.inputs) probes.inputs.push_back(std::move(p));
  }
  fixed_point_params fp;
  fp.tolerance = a.tolerance;
  fp.dedup_tolerance = a.dedup;
  fp.slow_q_threshold = a.slow_q;
  fp.max_iterations = a.max_iterations;
  fp.n_slow_modes = a.modes;
  fp.n_threads = a.threads;
  fp.validate();
  require(a.starts >= 1, "rnnlab fixed-points", "--starts", ">= 1", a.starts);

  std::vector<fixed_point_result> results;
  for (Index i = 0; i < probes.size(); ++i) {
    const auto& probe = probes.inputs[static_cast<std::size_t>(i)];
    auto g = make_stream(a.seed, static_cast<std::uint64_t>(i), stream_purpose::analysis);
    Eigen::MatrixXd starts;
    if (a.start_from == "box") {
      starts = box_starts(N, a.starts, a.box, g);
    } else {  // trajectories under the static input plus unit-variance noise, from x0 ~ N(0, 1)
      sequence<double> inputs({200, 16, M});
      for (Index t = 0; t < 200; ++t)
        for (Index b = 0; b < 16; ++b)
          for (Index m = 0; m < M; ++m) inputs.slice(t)(m, b) = probe.u(m) + standard_normal(g);
      auto driven = net;
      for (Index n = 0; n < N; ++n) driven.parameters().x0(n) = standard_normal(g);
      starts = trajectory_starts(driven, inputs, a.starts, g, 0.0);
    }
    results.push_back(find_fixed_points(net, probe.u, starts, fp));
  }

  // Flatten over inputs.
  Index nf = 0, ns = 0;
  for (const auto& r : results) {
    nf += static_cast<Index>(r.fixed_points.size());
    ns += static_cast<Index>(r.slow_points.size());
  }
  Eigen::MatrixXd X(nf, N), S(ns, N), ev_re(nf, N), ev_im(nf, N);
  Eigen::VectorXd res(nf), err(nf), sres(ns), sq(ns);
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> cert(nf);
  Eigen::Matrix<std::int64_t, Eigen::Dynamic, 1> fin(nf), sin(ns), nun(nf), nstarts(nf);
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> stab(nf);
  tensor<double, 3> modes_re({nf, N, a.modes}), modes_im({nf, N, a.modes});
  io::json per_input = io::json::array();
  Index j = 0, k = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    for (const auto& cp : r.fixed_points) {
      X.row(j) = cp.x.transpose();
      res(j) = cp.residual;
      err(j) = cp.error_bound;
      cert(j) = cp.certified ? 1 : 0;
      fin(j) = static_cast<std::int64_t>(i);
      nun(j) = cp.n_unstable;
      nstarts(j) = cp.n_starts;
      stab(j) = static_cast<std::int32_t>(cp.stability);
      ev_re.row(j) = cp.eigenvalues.real().transpose();
      ev_im.row(j) = cp.eigenvalues.imag().transpose();
      for (Index n = 0; n < N; ++n)
        for (Index m = 0; m < cp.slow_modes.cols(); ++m) {
          modes_re(j, n, m) = cp.slow_modes(n, m).real();
          modes_im(j, n, m) = cp.slow_modes(n, m).imag();
        }
      ++j;
    }
    for (const auto& sp : r.slow_points) {
      S.row(k) = sp.x.transpose();
      sres(k) = sp.residual;
      sq(k) = sp.q;
      sin(k) = static_cast<std::int64_t>(i);
      ++k;
    }
    const auto& probe = probes.inputs[i];
    io::json statuses = io::json::object();
    for (int s = 0; s <= static_cast<int>(fp_status::non_finite); ++s)
      statuses[std::string(to_name(static_cast<fp_status>(s)))] = r.count(static_cast<fp_status>(s));
    io::json classes = io::json::object();
    for (int c = 0; c <= static_cast<int>(stability_class::non_smooth); ++c)
      classes[std::string(to_name(static_cast<stability_class>(c)))] = r.count(static_cast<stability_class>(c));
    per_input.push_back({{"u", std::vector<double>(probe.u.data(), probe.u.data() + probe.u.size())},
                         {"context", probe.context},
                         {"value", probe.value},
                         {"n_fixed_points", r.fixed_points.size()},
                         {"stability", classes},
                         {"n_slow_points", r.slow_points.size()},
                         {"starts", statuses},
                         {"certified_fraction", static_cast<double>(r.n_certified_starts()) /
                                                    static_cast<double>(r.starts.size())},
                         {"iterations_per_start", static_cast<double>(r.total_iterations()) /
                                                      static_cast<double>(r.starts.size())}});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  io::ensure_directory(a.out, "rnnlab fixed-points");
  const std::filesystem::path out(a.out);
  io::write_npy(out / "inputs.npy", probes.matrix());
  io::write_npy(out / "fixed_points.npy", X);
  io::write_npy_vector(out / "fp_input_index.npy", fin);
  io::write_npy_vector(out / "fp_residual.npy", res);
  io::write_npy_vector(out / "fp_stability.npy", stab);
  io::write_npy_vector(out / "fp_certified.npy", cert);
  io::write_npy_vector(out / "fp_error_bound.npy", err);
  io::write_npy_vector(out / "fp_n_unstable.npy", nun);
  io::write_npy_vector(out / "fp_n_starts.npy", nstarts);
  io::write_npy(out / "fp_eigenvalues_real.npy", ev_re);
  io::write_npy(out / "fp_eigenvalues_imag.npy", ev_im);
  if (a.modes > 0) {
    io::write_npy(out / "fp_slow_modes_real.npy", modes_re);
    io::write_npy(out / "fp_slow_modes_imag.npy", modes_im);
  }
  io::write_npy(out / "slow_points.npy", S);
  io::write_npy_vector(out / "sp_input_index.npy", sin);
  io::write_npy_vector(out / "sp_residual.npy", sres);
  io::write_npy_vector(out / "sp_q.npy", sq);
  io::json summary{
      {"network", a.net_dir},
      {"activation", std::string(F::name)},
      {"n_units", N},
      {"n_inputs", M},
      {"alpha", net.alpha()},
      {"probe_set", probes.name},
      {"starts", {{"count", a.starts}, {"from", a.start_from}, {"box_half_width", a.box}, {"seed", a.seed}}},
      {"params",
       {{"tolerance", fp.tolerance},
        {"dedup_tolerance", fp.dedup_tolerance},
        {"slow_q_threshold", fp.slow_q_threshold},
        {"max_iterations", fp.max_iterations},
        {"marginal_tolerance", fp.marginal_tolerance}}},
      {"stability_codes", {{"0", "stable"}, {"1", "saddle"}, {"2", "unstable"}, {"3", "marginal"}, {"4", "non_smooth"}}},
      {"certified", "fp_certified.npy: 1 if a root provably lies within fp_error_bound.npy of the point "
                    "(Newton-Kantorovich); 0: the Jacobian is too close to singular for a proof (reported marginal)"},
      {"eigenvalues", "of the Euler map's Jacobian I + J_F, sorted by modulus, descending"},
      {"n_fixed_points", nf},
      {"n_slow_points", ns},
      {"seconds", seconds},
      {"inputs", per_input}};
  io::write_json(out / "summary.json", summary);
  std::cout << "fixed-points: " << nf << " fixed points (" << cert.sum() << " certified) and " << ns << " slow points over "
            << probes.size() << " input(s) in " << seconds << " s; wrote " << a.out << "\n";
}

const bool registered = register_command("fixed-points", [](CLI::App& app) {
  auto args = std::make_shared<fixed_points_args>();
  auto* sub = app.add_subcommand(
      "fixed-points",
      "Certified fixed points (|F| < tol) and slow points of a network folder at static inputs, with their "
      "stability (eigenvalues of the Euler map's Jacobian); writes .npy arrays and summary.json");
  sub->add_option("net_dir", args->net_dir, "Network folder (docs/formats.md)")->required()->check(CLI::ExistingDirectory);
  sub->add_option("--input", args->inputs,
                  "Static input: M comma-separated numbers, or a probe set: small, large, sparse (RDM), zero. "
                  "Repeat for several.")
      ->capture_default_str();
  sub->add_option("--starts", args->starts, "Starts per input")->capture_default_str();
  sub->add_option("--start-from", args->start_from,
                  "box: U(-h, h)^N as the reference code; trajectory: states the network visits under the input "
                  "plus unit-variance noise")
      ->check(CLI::IsMember({"box", "trajectory"}))
      ->capture_default_str();
  sub->add_option("--box", args->box, "Half-width h of the start box")->capture_default_str();
  sub->add_option("--seed", args->seed, "Seed of the starts")->capture_default_str();
  sub->add_option("--tol", args->tolerance, "Certification tolerance on |F(x*)|")->capture_default_str();
  sub->add_option("--dedup", args->dedup, "Roots closer than this are one root")->capture_default_str();
  sub->add_option("--slow-q", args->slow_q, "Local minima of q = |F|^2/2 below this are slow points")
      ->capture_default_str();
  sub->add_option("--max-iterations", args->max_iterations, "Newton/LM iterations per start")->capture_default_str();
  sub->add_option("--modes", args->modes, "Also write this many slowest eigenvectors per fixed point")
      ->capture_default_str();
  sub->add_option("--threads", args->threads, "Threads (0: all cores)")->capture_default_str();
  sub->add_option("--out", args->out, "Output folder")->required();
  sub->callback([args] { io::visit_network<double>(args->net_dir, [&](const auto& net) { run(net, *args); }); });
});

}  // namespace
}  // namespace rnnlab::cli
