#include <doctest/doctest.h>

#include <rnnlab/learning/callbacks.hpp>
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/trainer.hpp>
#include <rnnlab/tasks/context_integration.hpp>
#include <rnnlab/tasks/rdm.hpp>

#include <cmath>
#include <filesystem>
#include <vector>

#include "../support/archetype_task.hpp"
#include "../support/easy_training.hpp"
#include "../support/scratch.hpp"

using namespace rnnlab;

namespace {

// A task that returns the same batch whatever the generator: the easy RDM's trials drawn from a
// fixed stream. Scoring every generation on it makes the best loss comparable across generations.
struct ga_fixed_task {
  random_dots inner = test::easy_rdm();
  Index n_inputs() const noexcept { return inner.n_inputs(); }
  Index n_outputs() const noexcept { return inner.n_outputs(); }
  Index n_steps() const noexcept { return inner.n_steps(); }
  template <class Scalar = float, class G>
  trial_batch<Scalar> sample(Index batch, G&) const {
    auto fixed = make_stream(77, 0, stream_purpose::training);
    return inner.template sample<Scalar>(batch, fixed);
  }
};

template <class Scalar>
ctrnn<Scalar> ga_net(std::uint64_t seed, Index n_units = 12) {
  auto g = make_stream(seed, 0, stream_purpose::initialization);
  return make_ctrnn<Scalar>(ctrnn_config::reference_code(n_units), 1, 1, g);
}

// A small GA for the easy RDM (T = 60): 20 members, batch 64, larger mutations than the
// reference's 0.005 (a 20-unit network with few generations).
genetic ga_small() {
  genetic r = genetic::reference_code(20);
  r.batch_size = 64;
  r.mutation_std = {{"W_rec", 0.05}, {"W_in", 0.05}, {"W_out", 0.05}};
  return r;
}

train_options ga_options(std::uint64_t seed, Index max_updates) {
  train_options o = test::easy_options();
  o.seed = seed;
  o.max_updates = max_updates;
  return o;
}

double ga_std(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m += x;
  m /= static_cast<double>(v.size());
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

struct ga_stop_at {
  Index update;
  bool stop_requested(const training_progress& p) const { return p.updates >= update; }
};

}  // namespace

TEST_CASE_TEMPLATE("GA: with elites the best loss on a fixed batch never increases, and net holds the best member",
                   Scalar, float, double) {
  const ga_fixed_task task;
  auto net = ga_net<Scalar>(3);
  genetic rule = ga_small();
  rule.initial_state = {initial_state_mode::network, 0.0};  // every member from its own x0 (not mutated)
  auto state = rule.make_state(net);
  rng g(5);
  double previous = std::numeric_limits<double>::infinity();
  double first = 0;
  for (int gen = 0; gen < 25; ++gen) {
    const auto u = rule.update(net, state, task, g);
    CHECK(u.trials == rule.population_size * rule.batch_size);
    CHECK(std::isfinite(u.loss));
    CHECK(u.loss <= previous);  // the elite is re-scored on the same batch from the same x0
    if (gen == 0) first = u.loss;
    previous = u.loss;
    // The network holds the best member: its loss on the batch is the reported one.
    const auto batch = task.sample<Scalar>(rule.batch_size, g);
    CHECK(evaluate_loss(net, batch, net.parameters().x0, rule.loss) == doctest::Approx(u.loss).epsilon(1e-12));
    CHECK(state.parent_losses.front() == u.loss);
    for (std::size_t k = 1; k < state.parent_losses.size(); ++k)
      CHECK(state.parent_losses[k - 1] <= state.parent_losses[k]);
  }
  CHECK(previous < 0.8 * first);  // and it does learn
}

TEST_CASE("GA: without elites the best loss on a fixed batch may rise (the elite is what makes it monotone)") {
  const ga_fixed_task task;
  auto net = ga_net<double>(3);
  genetic rule = ga_small();
  rule.elites = 0;
  rule.mutation_std = {{"W_rec", 0.3}, {"W_in", 0.3}, {"W_out", 0.3}};  // large steps: children are worse
  rule.initial_state = {initial_state_mode::network, 0.0};
  auto state = rule.make_state(net);
  rng g(5);
  bool rose = false;
  double previous = std::numeric_limits<double>::infinity();
  for (int gen = 0; gen < 25; ++gen) {
    const double L = rule.update(net, state, task, g).loss;
    rose = rose || L > previous;
    previous = L;
  }
  CHECK(rose);
}

TEST_CASE_TEMPLATE("GA: mutations have the std of their group, elites are exact copies, parents are chosen uniformly",
                   Scalar, float, double) {
  const auto net = ga_net<Scalar>(4, 20);
  genetic rule;
  rule.population_size = 401;
  rule.parents = 4;
  rule.elites = 2;
  rule.mutation_std = {{"W_rec", 0.01}, {"W_in", 0.003}, {"W_out", 0.02}};
  auto state = rule.make_state(net);
  // Four distinct parents, told apart by their (unmutated) b.
  for (std::size_t k = 0; k < state.parents.size(); ++k) {
    state.parents[k] = net.parameters();
    state.parents[k].b.setConstant(static_cast<Scalar>(k));
  }
  std::vector<double> d_rec, d_in, d_out;
  std::vector<int> chosen(4, 0);
  ctrnn_parameters<Scalar> child;
  for (Index i = 0; i < rule.population_size; ++i) {
    rule.make_member(net, state.parents, 3, 0xabcdef, i, child);
    if (i < rule.elites) {
      CHECK(child == state.parents[static_cast<std::size_t>(i)]);
      continue;
    }
    const auto k = static_cast<std::size_t>(child.b(0));
    REQUIRE(k < 4);
    ++chosen[k];
    const auto& p = state.parents[k];
    CHECK(child.b == p.b);
    CHECK(child.b_out == p.b_out);
    CHECK(child.x0 == p.x0);
    for (Index j = 0; j < child.W_rec.size(); ++j)
      d_rec.push_back(static_cast<double>(child.W_rec.data()[j]) - static_cast<double>(p.W_rec.data()[j]));
    for (Index j = 0; j < child.W_in.size(); ++j)
      d_in.push_back(static_cast<double>(child.W_in.data()[j]) - static_cast<double>(p.W_in.data()[j]));
    for (Index j = 0; j < child.W_out.size(); ++j)
      d_out.push_back(static_cast<double>(child.W_out.data()[j]) - static_cast<double>(p.W_out.data()[j]));
  }
  // 399 children: 159,600 W_rec samples (relative std error of the std ≈ 0.2 %), 7,980 of W_in
  // and W_out (≈ 0.8 %); float rounding of a weight ~0.1 adds ~1e-8, far below.
  CHECK(ga_std(d_rec) == doctest::Approx(0.01).epsilon(0.01));
  CHECK(ga_std(d_in) == doctest::Approx(0.003).epsilon(0.03));
  CHECK(ga_std(d_out) == doctest::Approx(0.02).epsilon(0.03));
  double mean = 0;
  for (double x : d_rec) mean += x;
  mean /= static_cast<double>(d_rec.size());
  CHECK(std::abs(mean) < 4 * 0.01 / std::sqrt(static_cast<double>(d_rec.size())));
  // Parent choice: 399 draws over 4 parents, ≈ 99.75 each (std ≈ 8.6); a 4.5σ band.
  for (int c : chosen) CHECK(std::abs(c - 99.75) < 39);
  // Same (key, member): the same child; another key: another child.
  ctrnn_parameters<Scalar> again, other;
  rule.make_member(net, state.parents, 3, 0xabcdef, 7, child);
  rule.make_member(net, state.parents, 3, 0xabcdef, 7, again);
  rule.make_member(net, state.parents, 3, 0xabcdee, 7, other);
  CHECK(child == again);
  CHECK_FALSE(child == other);
}

TEST_CASE("GA: generation 0 is drawn afresh per member from init (fresh) or made of the network and its mutants") {
  const auto net = ga_net<double>(4, 30);
  genetic rule;
  rule.population_size = 40;
  auto state = rule.make_state(net);
  SUBCASE("fresh: W_rec std 1/50, W_in std 0.5, W_out std 0.1 (the reference initialisation)") {
    std::vector<double> w_rec, w_in, w_out;
    ctrnn_parameters<double> m;
    for (Index i = 0; i < rule.population_size; ++i) {
      rule.make_member(net, state.parents, 0, 99, i, m);
      CHECK(m.x0 == net.parameters().x0);
      w_rec.insert(w_rec.end(), m.W_rec.data(), m.W_rec.data() + m.W_rec.size());
      w_in.insert(w_in.end(), m.W_in.data(), m.W_in.data() + m.W_in.size());
      w_out.insert(w_out.end(), m.W_out.data(), m.W_out.data() + m.W_out.size());
    }
    CHECK(ga_std(w_rec) == doctest::Approx(1.0 / 50).epsilon(0.02));
    CHECK(ga_std(w_in) == doctest::Approx(0.5).epsilon(0.1));
    CHECK(ga_std(w_out) == doctest::Approx(0.1).epsilon(0.1));
  }
  SUBCASE("network: member 0 is the network, the others its mutants") {
    rule.initial_population = initial_population_mode::network;
    ctrnn_parameters<double> m;
    rule.make_member(net, state.parents, 0, 99, 0, m);
    CHECK(m == net.parameters());
    rule.make_member(net, state.parents, 0, 99, 1, m);
    CHECK_FALSE(m == net.parameters());
    CHECK((m.W_rec - net.parameters().W_rec).cwiseAbs().maxCoeff() < 0.005 * 6);
    CHECK(m.b == net.parameters().b);
  }
}

TEST_CASE("GA: results are identical for 1 and 2 threads") {
  const auto task = test::easy_rdm();
  genetic one = ga_small();
  one.threads = 1;
  genetic two = ga_small();
  two.threads = 2;
  auto net1 = test::easy_net(6);
  auto net2 = test::easy_net(6);
  auto o = ga_options(4, 6);
  const auto r1 = train(net1, task, one, o);
  o.evaluation.threads = 2;
  const auto r2 = train(net2, task, two, o);
  CHECK(r1.updates == 6);
  CHECK(r1.loss_history == r2.loss_history);
  CHECK(r1.accuracy_history == r2.accuracy_history);
  CHECK(net1.parameters() == net2.parameters());
}

TEST_CASE("GA: bad hyper-parameters are rejected by validate() naming the field, before any work") {
  const auto bad = [](auto change) {
    genetic r;
    change(r);
    return r;
  };
  const auto message_of = [](const genetic& r) -> std::string {
    try {
      r.validate();
    } catch (const argument_error& e) {
      return e.what();
    }
    return "";
  };
  CHECK_NOTHROW(genetic{}.validate());
  CHECK_NOTHROW(genetic::reference_code(20).validate());
  CHECK_NOTHROW(genetic::paper_text().validate());
  CHECK(message_of(bad([](genetic& r) { r.parents = 60; })).find("parents") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.parents = 0; })).find("parents") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.elites = 6; })).find("elites") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) {
          r.population_size = 5;
          r.elites = 5;
        })).find("elites") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.elites = -1; })).find("elites") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.population_size = 1; })).find("population_size") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.mutation_std["W_rec"] = -0.1; })).find("mutation_std[W_rec]") !=
        std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.mutation_std["W_in"] = std::nan(""); })).find("mutation_std[W_in]") !=
        std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.mutation_std.clear(); })).find("mutation_std") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.mutation_std = {{"W_rec", 0.0}}; })).find("mutation_std") !=
        std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.batch_size = 0; })).find("batch_size") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.initial_state.stddev = -1; })).find("initial_state.stddev") !=
        std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.init.w_rec_std = -1; })).find("w_rec_std") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.threads = -1; })).find("threads") != std::string::npos);
  CHECK(message_of(bad([](genetic& r) { r.parents = 60; })).find("rnnlab::genetic::validate") != std::string::npos);

  // A group the network does not have: at make_state, naming the groups it has.
  const auto net = ga_net<float>(1);
  genetic r;
  r.mutation_std["W_fb"] = 0.01;  // no output feedback: W_fb is empty
  CHECK_THROWS_WITH_AS(r.make_state(net), doctest::Contains("'W_fb'"), argument_error);
  r.mutation_std = {{"W_recc", 0.01}};
  CHECK_THROWS_WITH_AS(r.make_state(net), doctest::Contains("W_rec, W_in, W_out"), argument_error);
  // train() refuses before any update.
  auto n2 = test::easy_net(1);
  const auto before = n2.parameters();
  genetic r2 = ga_small();
  r2.elites = 7;
  CHECK_THROWS_AS(train(n2, test::easy_rdm(), r2, ga_options(1, 3)), argument_error);
  CHECK(n2.parameters() == before);
}

TEST_CASE("GA: a run interrupted and resumed from its checkpoint ends bit-identical to an uninterrupted one") {
  const auto task = test::easy_rdm();
  const genetic rule = ga_small();
  auto net_a = test::easy_net(1);
  const auto a = train(net_a, task, rule, ga_options(9, 12));
  REQUIRE(a.updates == 12);

  const auto path = test::fresh("ga.ckpt");
  auto net_b = test::easy_net(1);
  checkpoint_file ck(path, 1);
  const auto b = train(net_b, task, rule, ga_options(9, 12), ck, ga_stop_at{5});
  CHECK(b.updates == 5);
  auto net_c = test::easy_net(1);
  checkpoint_file ck2(path, 3);
  const auto c = train(net_c, task, rule, ga_options(9, 12), ck2);
  CHECK(ck2.resumed());
  CHECK(c.updates == a.updates);
  CHECK(c.loss_history == a.loss_history);
  CHECK(c.accuracy_history == a.accuracy_history);
  CHECK(net_c.parameters() == net_a.parameters());

  // A checkpoint of another population structure is refused.
  genetic other = rule;
  other.parents = 4;
  auto net_d = test::easy_net(1);
  checkpoint_file ck3(path, 1);
  CHECK_THROWS_AS(train(net_d, task, other, ga_options(9, 12), ck3), io_error);
}

TEST_CASE("GA trains the easy RDM to the reference criterion") {
  const auto task = test::easy_rdm();
  auto net = test::easy_net(2);
  auto o = ga_options(3, 300);
  const auto r = train(net, task, ga_small(), o);
  MESSAGE("GA easy RDM: " << to_name(r.status) << " after " << r.updates << " generations, " << r.wall_seconds
                          << " s, accuracy " << r.final_accuracy);
  CHECK(r.status == training_status::converged);
  CHECK(r.final_accuracy >= 0.9);
}

TEST_CASE("GA trains the easy RDM with a single-unit readout (Appendix Fig. 11 control)") {
  const auto task = test::easy_rdm();
  auto net = test::easy_net(2);
  net.set_readout_unit(0);  // y = x_0: W_out unused
  genetic rule = ga_small();
  rule.mutation_std.erase("W_out");
  const auto r = train(net, task, rule, ga_options(3, 300));
  MESSAGE("GA easy RDM, single-unit readout: " << to_name(r.status) << " after " << r.updates << " generations");
  CHECK(r.status == training_status::converged);
  CHECK(net.readout_unit() == 0);
}

TEST_CASE("GA runs a generation on CDI, 3-CDI and a task without labels, in float and double") {
  const auto one = [](const auto& task, auto net) {
    genetic r = genetic::reference_code(genetic::reference_population(2));
    r.population_size = 4;
    r.parents = 2;
    r.batch_size = 3;
    auto s = r.make_state(net);
    rng g(1);
    const auto u = r.update(net, s, task, g);
    CHECK(u.trials == 12);
    CHECK(std::isfinite(u.loss));
    CHECK(net.parameters() == s.parents.front());
  };
  for (int contexts : {2, 3}) {
    const context_integration cdi(context_integration_params::reference_code(contexts));
    auto g = make_stream(1, 0, stream_purpose::initialization);
    one(cdi, make_ctrnn<float>(ctrnn_config::reference_code(), cdi.n_inputs(), cdi.n_outputs(), g));
    one(cdi, make_ctrnn<double, activations::tanh>(ctrnn_config::paper_text(), cdi.n_inputs(), cdi.n_outputs(), g));
  }
  const archetypes::hold_value_task<false> hold;
  auto g = make_stream(1, 0, stream_purpose::initialization);
  one(hold, make_ctrnn<double>(ctrnn_config::reference_code(8), 1, 1, g));
  CHECK(genetic::reference_population(1) == 50);
  CHECK(genetic::reference_population(3) == 20);
}
