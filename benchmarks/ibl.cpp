// The IBL task (issue 13): environment steps/s with a 50-unit network in the loop, one training
// step on a 4-block session, Bayesian actor steps/s. Yardstick, side by side: the bare chain of
// N = 50 vanilla-RNN steps h = tanh(W_rec h + W_in o + b) (Eigen matrix-vector products, no task).
#include <benchmark/benchmark.h>

#include <rnnlab/ibl/bayes.hpp>
#include <rnnlab/ibl/network.hpp>

namespace {

rnnlab::ibl_session bench_ibl_session(std::uint64_t seed) {
  rnnlab::rng g(seed);
  return rnnlab::ibl_sample_session(rnnlab::ibl_params{}, g);  // 4 blocks, ~200 trials
}

void BM_ibl_network_in_loop(benchmark::State& state) {
  rnnlab::rng g(1);
  const auto p = rnnlab::ibl_network_init(50, g);
  const auto session = bench_ibl_session(2);
  rnnlab::ibl_environment env;
  std::size_t steps = 0;
  for (auto _ : state) {
    const auto r = rnnlab::ibl_run_network(p, env, session);
    steps += r.inputs.size();
    benchmark::DoNotOptimize(r.inputs.data());
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ibl_network_in_loop)->Unit(benchmark::kMillisecond);

void BM_ibl_yardstick_rnn_steps(benchmark::State& state) {
  rnnlab::rng g(1);
  const auto p = rnnlab::ibl_network_init(50, g);
  Eigen::VectorXd h = Eigen::VectorXd::Zero(50);
  Eigen::VectorXd x(3);
  x << 0.3, -0.2, -0.05;
  const int n = 2000;
  for (auto _ : state) {
    for (int t = 0; t < n; ++t) h = (p.W_rec * h + p.W_in * x + p.b).array().tanh().matrix();
    benchmark::DoNotOptimize(h.data());
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ibl_yardstick_rnn_steps)->Unit(benchmark::kMillisecond);

void BM_ibl_train_step(benchmark::State& state) {
  rnnlab::rng g(1);
  auto p = rnnlab::ibl_network_init(50, g);
  const auto session = bench_ibl_session(3);
  rnnlab::ibl_environment env;
  const rnnlab::adam opt{1e-3, 0.9, 0.999, 1e-8};
  auto s = opt.make_state(p);
  const rnnlab::param_set trainable{rnnlab::param::W_rec, rnnlab::param::W_in, rnnlab::param::W_out,
                                    rnnlab::param::b, rnnlab::param::b_out};
  std::size_t steps = 0;
  for (auto _ : state) {
    const auto r = rnnlab::ibl_run_network(p, env, session);
    const auto lg = rnnlab::ibl_session_loss(p, r);
    opt.step(p, lg.gradient, trainable, s);
    steps += r.inputs.size();
  }
  state.counters["session steps/s"] = benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ibl_train_step)->Unit(benchmark::kMillisecond);

void BM_ibl_bayesian_actor(benchmark::State& state) {
  const auto session = bench_ibl_session(4);
  rnnlab::ibl_environment env;
  const auto params = state.range(0) ? rnnlab::ibl_bayes_params::reference_actor() : rnnlab::ibl_bayes_params{};
  std::size_t trials = 0, obs = 0;
  for (auto _ : state) {
    rnnlab::ibl_bayesian_actor actor(params);
    const auto& log = rnnlab::ibl_run_agent(env, actor, session);
    trials += log.size();
    for (const auto& t : log) obs += static_cast<std::size_t>(t.n_observations) + 2;
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(obs), benchmark::Counter::kIsRate);
  state.counters["trials/s"] = benchmark::Counter(static_cast<double>(trials), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ibl_bayesian_actor)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
