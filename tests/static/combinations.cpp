// Every shipped task × learning rule × analysis, instantiated together: building this file is the
// test. A combination that stops compiling here is a broken seam (DESIGN.md: "any task × any rule ×
// any analysis must compile and run together"). The functions are never called; each instantiates
// the whole pipeline for one combination: sample → train → fixed points → activity on the SVCCA
// probes → distance matrix over every metric policy → embedding, and the per-step API.
#include <rnnlab/learning/genetic.hpp>
#include <rnnlab/learning/hebbian.hpp>
#include <rnnlab/rnnlab.hpp>

#include <span>
#include <vector>

namespace rnnlab::static_checks_combinations {

template <class Net, class Task, class Rule>
void pipeline(Net& net, const Task& task, const Rule& rule, rng& g) {
  static_assert(LearningRule<Rule, Net, Task>);
  static_assert(TaskFor<Task, Net>);
  using S = typename Net::scalar_type;
  // learning: the generic loop with its callbacks
  train_options options;
  options.max_updates = 1;
  const training_report report = train(net, task, rule, options);
  (void)report;
  // the task's own evaluation
  const auto validation = task.template validation_set<S>(g);
  const auto outputs = simulate_sharded(net, validation.inputs, net.parameters().x0);
  (void)task.score(outputs, validation);
  // the per-step API with an observer
  auto ws = net.make_workspace(2);
  net.reset(ws, net.parameters().x0);
  const sequence<S> one_step({1, 2, task.n_inputs()});
  net.step(ws, one_step.slice(0), [](Index, const auto&, const auto&, const auto&) {});
  // dynamics: fixed points of the trained network under a zero input
  const Eigen::VectorXd u = Eigen::VectorXd::Zero(task.n_inputs());
  const auto fp = find_fixed_points(net, u, box_starts(net.n_units(), 8, 1.0, g));
  (void)fp;
  const fixed_point_system<typename Net::activation_type> system(net, u);
  static_assert(FixedPointSystem<decltype(system)>);
  // similarity: activity on the SVCCA probes, every metric policy, and an embedding
  // (an evidence task's SVCCA probes; any other task's own validation inputs)
  const auto probes = [&] {
    if constexpr (ConditionedTask<Task, S>)
      return svcca_probe_inputs<S>(task);
    else
      return validation.inputs;
  }();
  const std::vector<Eigen::MatrixXd> activity{record_activity(net, probes, activity_params{}, g),
                                              record_activity(net, probes, activity_params{}, g)};
  const std::span<const Eigen::MatrixXd> acts(activity);
  const auto d1 = distance_matrix(acts, svcca_metric{});
  const auto d2 = distance_matrix(acts, cca_metric{});
  const auto d3 = distance_matrix(acts, cka_metric{});
  const auto d4 = distance_matrix(acts, procrustes_metric{});
  (void)d2, (void)d3, (void)d4;
  const auto mds = classical_mds(d1.distances);
  (void)mds;
}

template <class Net, class Task, class Rule>
void train_once(Net& net, const Task& task, const Rule& rule) {
  static_assert(LearningRule<Rule, Net, Task>);
  train_options options;
  options.max_updates = 1;
  (void)train(net, task, rule, options);
}

template <class Net>
void every_task_and_rule(Net& net, rng& g) {
  const random_dots rdm(rdm_params::reference_code(1.0));
  const context_integration cdi(context_integration_params::reference_code(2));
  pipeline(net, rdm, bptt<adam>::reference_code(), g);
  pipeline(net, rdm, bptt<sgd>{}, g);
  pipeline(net, cdi, bptt<adam>::reference_code(), g);
  pipeline(net, cdi, bptt<sgd>{}, g);
  // The memory, timing and continuous-output tasks: the whole pipeline with BPTT.
  const auto with_bptt = [&](const auto& task) { pipeline(net, task, bptt<adam>::paper_text(), g); };
  with_bptt(flip_flop(flip_flop_params::reference_code()));
  with_bptt(delayed_match(delayed_match_params::reference_code()));
  with_bptt(delayed_discrimination{});
  with_bptt(multisensory{});
  with_bptt(sine_wave{});
  with_bptt(path_integration{});
}

// The memory, timing and continuous-output tasks with every other rule, on one network type (the
// pipeline above covers BPTT on both): training only, to keep this file's compile time down.
// (A template function, not a generic lambda: GCC 12 crashes on `genetic{}` inside one.)
template <class Net, class Task>
void every_other_rule(Net& net, const Task& task) {
  const bptt<sgd> sgd_rule{};
  const genetic ga{};
  const hebbian heb{};
  const force frc = force::sussillo_abbott();
  const full_force ff{};
  train_once(net, task, sgd_rule);
  train_once(net, task, ga);
  train_once(net, task, heb);
  train_once(net, task, frc);
  train_once(net, task, ff);
}

template <class Net>
void new_tasks_every_rule(Net& net) {
  every_other_rule(net, flip_flop(flip_flop_params::reference_code()));
  every_other_rule(net, delayed_match(delayed_match_params::reference_code()));
  every_other_rule(net, delayed_discrimination{});
  every_other_rule(net, multisensory{});
  every_other_rule(net, sine_wave{});
  every_other_rule(net, path_integration{});
}

// One network type per scalar, with the paper's activation and the Hebbian/FORCE one.
[[maybe_unused]] void instantiate_all(ctrnn<float, activations::one_plus_tanh>& a,
                                      ctrnn<double, activations::tanh>& b, rng& g) {
  every_task_and_rule(a, g);
  every_task_and_rule(b, g);
  new_tasks_every_rule(b);
}

}  // namespace rnnlab::static_checks_combinations
