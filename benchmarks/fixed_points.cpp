// Fixed points of a 50-unit network from 1,024 starts to ‖F‖ < 1e-10 in double (issue 4).
//
// Networks: random W_rec ~ N(0, g²/N) with gain g = 1.5, W_in ~ N(0, 1), b = 0, α = 0.1, static
// input u = 0, for f = tanh (odd: the origin plus ± pairs of roots, saddles with several unstable
// directions) and for f = 1 + tanh (the paper's activation). Starts: U(−5, 5)^50 as in the
// reference code ("box"), or states visited by the network under noisy inputs ("traj").
// Variants: "fast" = the solver's defaults (pilot + certified capture, merging, early stop of stalled
// starts, chord steps, symmetry of odd networks, all cores); "plain" = the same damped Newton/LM run
// to the end for every start independently, on one thread (the per-start approach the issue
// compares to: no capture, merging, stall stop, chord steps or symmetry).
// The trained case: benchmarks/data/rdm_bptt_seed1 (a 50-unit 1 + tanh network trained on the
// random-dots task with the reference presets; the command that made it is in its README.md),
// at zero evidence u = 0, from the box and from states visited on 16 task trials (plus N(0, 0.1²)).
// Counters: roots found, roots/s, Newton iterations per start, fraction of starts certified,
// `missed` = roots the plain solver finds that the fast one does not, `extra` = certified roots
// the fast solver reports beyond those (for odd networks: the origin and mirror images −x*).
// GCC 12 at -O3 reports a false -Wrestrict inside std::string concatenations of the core headers'
// error messages once they are inlined here (GCC PR 105651); not a defect of this code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <benchmark/benchmark.h>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/io/network.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cmath>
#include <filesystem>

using namespace rnnlab;

namespace {

template <class F>
ctrnn<double, F> gain_network(double gain, std::uint64_t seed) {
  const Index n = 50;
  auto g = make_stream(seed, {1});
  auto p = ctrnn_parameters<double>::zeros(n, 1, 1);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < n; ++j) p.W_rec(i, j) = gain / std::sqrt(static_cast<double>(n)) * standard_normal(g);
    p.W_in(i, 0) = standard_normal(g);
  }
  return ctrnn<double, F>(p, 0.1);
}

template <class F>
Eigen::MatrixXd make_starts(const ctrnn<double, F>& net, bool trajectory) {
  auto g = make_stream(42, {2});
  if (!trajectory) return box_starts(net.n_units(), 1024, 5.0, g);
  // 16 trials of 200 steps from x0 ~ N(0, 1) under N(0, 1) input noise; states plus N(0, 0.1²).
  sequence<double> inputs({200, 16, 1});
  for (auto& v : inputs.span()) v = standard_normal(g);
  auto net2 = net;
  net2.parameters().x0 = Eigen::VectorXd::Zero(net.n_units());
  for (Index i = 0; i < net.n_units(); ++i) net2.parameters().x0(i) = standard_normal(g);
  return trajectory_starts(net2, inputs, 1024, g, 0.1);
}

/// The committed trained network, found next to this source file (benchmarks/CMakeLists.txt gives
/// no data-dir definition; __FILE__ is the absolute path CMake compiles).
std::filesystem::path rdm_network_dir() {
  return std::filesystem::path(__FILE__).parent_path() / "data" / "rdm_bptt_seed1";
}

Eigen::MatrixXd rdm_starts(const ctrnn<float, activations::one_plus_tanh>& net, bool trajectory) {
  auto g = make_stream(42, {3});
  if (!trajectory) return box_starts(net.n_units(), 1024, 5.0, g);
  const random_dots task(rdm_params::reference_code());
  const auto batch = task.sample<float>(16, g);
  return trajectory_starts(net, batch.inputs, 1024, g, 0.1);
}

template <class F>
void run_system(benchmark::State& state, const fixed_point_system<F>& sys, const Eigen::MatrixXd& starts,
                int variant) {
  const bool fast = variant != 0;
  fixed_point_params p;
  // The plain per-start solve: no capture, no merging, no early stop at stalls, one thread.
  const auto make_plain = [](fixed_point_params q) {
    q.capture = false;
    q.merge_radius = 0.0;
    q.minimum_capture_radius = 0.0;
    q.stall_decrease = 0.0;
    q.use_symmetry = false;
    q.chord_steps = false;
    return q;
  };
  if (!fast) p = make_plain(p);
  if (variant != 1) p.n_threads = 1;
  fixed_point_result r;
  for (auto _ : state) {
    r = find_fixed_points(sys, starts, p);
    benchmark::DoNotOptimize(r.fixed_points.data());
  }
  const fixed_point_params ref = make_plain(p);
  const auto plain = find_fixed_points(sys, starts, ref);
  Index missed = 0, extra = 0;
  for (const auto& a : plain.fixed_points) {
    bool found = false;
    for (const auto& b : r.fixed_points) found = found || (a.x - b.x).norm() < 1e-6;
    missed += !found;
  }
  for (const auto& b : r.fixed_points) {
    bool found = false;
    for (const auto& a : plain.fixed_points) found = found || (a.x - b.x).norm() < 1e-6;
    extra += !found;
  }
  const double K = static_cast<double>(starts.cols());
  state.counters["roots"] = static_cast<double>(r.fixed_points.size());
  state.counters["stable"] = static_cast<double>(r.count(stability_class::stable));
  state.counters["saddles"] = static_cast<double>(r.count(stability_class::saddle));
  Index max_unstable = 0;
  for (const auto& cp : r.fixed_points) max_unstable = std::max(max_unstable, cp.n_unstable);
  state.counters["max_unstable_dirs"] = static_cast<double>(max_unstable);
  state.counters["roots_per_s"] =
      benchmark::Counter(static_cast<double>(r.fixed_points.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["iters_per_start"] = static_cast<double>(r.total_iterations()) / K;
  state.counters["certified"] = static_cast<double>(r.n_certified_starts()) / K;
  state.counters["slow_points"] = static_cast<double>(r.slow_points.size());
  state.counters["missed"] = static_cast<double>(missed);
  state.counters["extra"] = static_cast<double>(extra);
}

template <class F>
void run(benchmark::State& state, double gain, bool trajectory, int variant) {
  const auto net = gain_network<F>(gain, 2024);
  run_system(state, fixed_point_system<F>(net, Eigen::VectorXd::Zero(1)), make_starts(net, trajectory), variant);
}

void run_rdm(benchmark::State& state, bool trajectory, int variant) {
  const auto net = io::load_network<float, activations::one_plus_tanh>(rdm_network_dir());
  run_system(state, fixed_point_system<activations::one_plus_tanh>(net, Eigen::VectorXd::Zero(1)),
             rdm_starts(net, trajectory), variant);
}

void BM_tanh_g15_box(benchmark::State& s) { run<activations::tanh>(s, 1.5, false, static_cast<int>(s.range(0))); }
void BM_tanh_g15_traj(benchmark::State& s) { run<activations::tanh>(s, 1.5, true, static_cast<int>(s.range(0))); }
void BM_one_plus_tanh_g15_box(benchmark::State& s) { run<activations::one_plus_tanh>(s, 1.5, false, static_cast<int>(s.range(0))); }
void BM_one_plus_tanh_g15_traj(benchmark::State& s) { run<activations::one_plus_tanh>(s, 1.5, true, static_cast<int>(s.range(0))); }
void BM_rdm_trained_box(benchmark::State& s) { run_rdm(s, false, static_cast<int>(s.range(0))); }
void BM_rdm_trained_traj(benchmark::State& s) { run_rdm(s, true, static_cast<int>(s.range(0))); }

}  // namespace

// Arg(1) = fast (defaults, all cores), Arg(2) = fast on one thread (its CPU time is robust to other
// load on the machine), Arg(0) = plain per-start solve on one thread.
BENCHMARK(BM_tanh_g15_box)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_tanh_g15_traj)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_one_plus_tanh_g15_box)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_one_plus_tanh_g15_traj)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_rdm_trained_box)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_rdm_trained_traj)->Arg(1)->Arg(2)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

BENCHMARK_MAIN();
