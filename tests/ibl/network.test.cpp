#include <doctest/doctest.h>

#include <rnnlab/ibl/network.hpp>

#include <cmath>

using namespace rnnlab;

namespace {

// A short session (2 blocks of 3..5 trials) played by a random 6-unit network.
ibl_rollout ibl_net_rollout(const ctrnn_parameters<double>& p, std::uint64_t seed) {
  ibl_params task;
  task.min_block_length = 3;
  task.max_block_length = 5;
  task.p_b0 = 0.3;
  task.n_blocks = 2;
  rng g(seed);
  ibl_environment env(task);
  return ibl_run_network(p, env, ibl_sample_session(task, g));
}

}  // namespace

TEST_CASE("IBL session BPTT gradients equal central finite differences") {
  rng g(4);
  auto p = ibl_network_init(6, g);
  p.W_out *= 4.0;  // confident outputs, so that some trials end by an action
  const auto r = ibl_net_rollout(p, 9);
  std::size_t actions = 0;
  for (const auto& t : r.trials) actions += t.action != 0;
  INFO("steps " << r.inputs.size() << ", actions " << actions);
  for (auto kind : {ibl_loss::cross_entropy, ibl_loss::reference}) {
    const auto lg = ibl_session_loss(p, r, kind);
    double worst = 0;
    const double eps = 1e-6;
    auto check_group = [&](auto& group, const auto& grad) {
      for (Index i = 0; i < group.size(); ++i) {
        const double keep = group.data()[i];
        group.data()[i] = keep + eps;
        const double up = ibl_session_loss(p, r, kind).loss;
        group.data()[i] = keep - eps;
        const double down = ibl_session_loss(p, r, kind).loss;
        group.data()[i] = keep;
        const double fd = (up - down) / (2 * eps);
        worst = std::max(worst, std::abs(fd - grad.data()[i]) / std::max(1e-6, std::abs(fd) + std::abs(grad.data()[i])));
      }
    };
    check_group(p.W_rec, lg.gradient.W_rec);
    check_group(p.W_in, lg.gradient.W_in);
    check_group(p.W_out, lg.gradient.W_out);
    check_group(p.b, lg.gradient.b);
    check_group(p.b_out, lg.gradient.b_out);
    INFO("worst relative error " << worst);
    CHECK(worst < 1e-6);
    CHECK(lg.gradient.x0.norm() == 0);
  }
}

TEST_CASE("IBL network: the loss of a recorded session by hand for a one-unit network") {
  auto p = ctrnn_parameters<double>::zeros(1, 3, 2);
  p.W_in(0, 0) = -1;  // h = tanh(o_R − o_L)
  p.W_in(0, 1) = 1;
  p.W_out(1, 0) = 1;  // logits (0, h)
  ibl_rollout r;
  r.inputs = {{0, 0, 0}, {0.2, 0.7, 0}};
  r.target = {0, 1};
  const double h = std::tanh(0.5);
  const double p_right = 1 / (1 + std::exp(-h));
  CHECK(ibl_session_loss(p, r).loss == doctest::Approx(-std::log(p_right) / 2).epsilon(1e-14));
  CHECK(ibl_session_loss(p, r, ibl_loss::reference).loss == doctest::Approx(-p_right / 2).epsilon(1e-14));
  auto bad = ctrnn_parameters<double>::zeros(4, 2, 2);
  CHECK_THROWS_AS(ibl_session_loss(bad, r), shape_error);
}

TEST_CASE("IBL network training from a fixed seed lowers the loss and beats chance on held-out sessions") {
  ibl_params task;  // the reference task, 4-block sessions
  ibl_train_options o;
  o.n_units = 20;
  o.steps = 150;
  o.adam_options.learning_rate = 1e-2;
  const auto res = ibl_train(task, o);
  REQUIRE(res.losses.size() == 150);
  double first = 0, last = 0;
  for (int i = 0; i < 15; ++i) {
    first += res.losses[static_cast<std::size_t>(i)];
    last += res.losses[res.losses.size() - 1 - static_cast<std::size_t>(i)];
  }
  INFO("mean loss of the first 15 steps " << first / 15 << ", of the last 15 " << last / 15);
  CHECK(last < 0.9 * first);
  // Held-out: 20 blocks from another stream.
  ibl_params held = task;
  held.n_blocks = 20;
  auto g = make_stream(77, 0, stream_purpose::validation);
  ibl_environment env(held);
  const auto r = ibl_run_network(res.params, env, ibl_sample_session(held, g));
  std::size_t correct = 0, actions = 0;
  for (const auto& t : r.trials) {
    actions += t.action != 0;
    correct += t.correct;
  }
  const double accuracy = static_cast<double>(correct) / static_cast<double>(actions);
  INFO("held-out: " << actions << " actions of " << r.trials.size() << " trials, accuracy " << accuracy);
  CHECK(static_cast<double>(actions) > 0.5 * static_cast<double>(r.trials.size()));
  CHECK(accuracy > 0.85);  // 0.93 at this seed; chance is 0.5
  // Same seed, same network.
  ibl_train_options o2 = o;
  o2.steps = 3;
  CHECK(ibl_train(task, o2).params.W_rec == ibl_train(task, o2).params.W_rec);
}
