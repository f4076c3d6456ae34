#pragma once
/// \file study/detail/network_job_impl.hpp
/// Definitions of study/network_job.hpp (see study/detail/config.hpp).

#include <time.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <rnnlab/analysis/dynamics/fixed_points.hpp>
#include <rnnlab/analysis/dynamics/integration_mechanism.hpp>
#include <rnnlab/analysis/dynamics/probe_sets.hpp>
#include <rnnlab/analysis/dynamics/topology.hpp>
#include <rnnlab/analysis/similarity/activity.hpp>
#include <rnnlab/io.hpp>
#include <rnnlab/io/serialize.hpp>
#include <rnnlab/kernels/parallel.hpp>
#include <rnnlab/random.hpp>
#include <rnnlab/study/network_job.hpp>
#include <rnnlab/study/rules.hpp>
#include <rnnlab/study/sigmoid_fit.hpp>
#include <rnnlab/study/store.hpp>

namespace rnnlab::study {

namespace detail {

/// CPU seconds of the calling thread (a network runs on one thread: its CPU time under any load).
inline double study_thread_cpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

/// The coherences of the psychometric curve: 0 and ± (0.005, 0.01, 0.02, 0.04, 0.08, 0.1857) scaled to the plan's T.
inline std::vector<double> psychometric_coherences(const study_plan& plan) {
  // The evidence a trial carries is μ√T/σ; at the small size σ is scaled with √T, so the paper's
  // coherences keep their meaning.
  std::vector<double> c;
  for (double v : {-0.1857, -0.08, -0.04, -0.02, -0.01, -0.005, 0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.1857}) c.push_back(v);
  (void)plan;
  return c;
}

template <class Net>
void study_write_fixed_points(const fs::path& dir, const Net& net, const probe_set& probes, Index n_starts,
                              const sequence<float>& traj_inputs, rng& g, std::vector<fixed_point_result>& results) {
  const Index N = net.n_units();
  fixed_point_params fp;
  fp.n_threads = 1;
  results.clear();
  const Index n_box = (n_starts + 1) / 2, n_traj = n_starts - n_box;
  for (const auto& probe : probes.inputs) {
    Eigen::MatrixXd starts(N, n_starts);
    starts.leftCols(n_box) = box_starts(N, n_box, 5.0, g);
    if (n_traj > 0) starts.rightCols(n_traj) = trajectory_starts(net, traj_inputs, n_traj, g, 0.01);
    results.push_back(find_fixed_points(net, probe.u, starts, fp));
  }
  const labelled_points lp = collect_fixed_points(results, probes);
  Index R = lp.size();
  Eigen::MatrixXd points(R, N);
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> probe_of(R), stab(R);
  Index r = 0;
  for (std::size_t i = 0; i < results.size(); ++i)
    for (const auto& cp : results[i].fixed_points) {
      points.row(r) = cp.x.transpose();
      probe_of(r) = static_cast<std::int32_t>(i);
      stab(r) = static_cast<std::int32_t>(cp.stability);
      ++r;
    }
  io::ensure_directory(dir, "rnnlab::study");
  io::write_npy(dir / "points.npy", points);
  io::write_npy_vector(dir / "probe.npy", probe_of);
  io::write_npy_vector(dir / "stability.npy", stab);
  io::write_npy(dir / "inputs.npy", probes.matrix());
  Eigen::VectorXd values(probes.size());
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, 1> contexts(probes.size());
  for (Index i = 0; i < probes.size(); ++i) {
    values(i) = probes.inputs[static_cast<std::size_t>(i)].value;
    contexts(i) = probes.inputs[static_cast<std::size_t>(i)].context;
  }
  io::write_npy_vector(dir / "values.npy", values);
  io::write_npy_vector(dir / "contexts.npy", contexts);
}

}  // namespace detail

// Trains and analyses network `spec` of `plan` with `rules`, writing its files into `dir`.
/// Single-threaded (call it under a thread_budget of 1). Returns the stages' wall-clock times.
RNNLAB_STUDY_DECL network_timing run_network(const study_plan& plan, const network_spec& spec, const rule_registry& rules,
                                  const fs::path& dir) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  auto since = [](clock::time_point t) { return std::chrono::duration<double>(clock::now() - t).count(); };
  const double cpu_start = detail::study_thread_cpu();
  network_timing timing;
  const rule_entry& rule = rules.at(spec.rule);
  const study_task task = make_study_task(plan, spec);
  const std::string activation = rule.requires_activation.empty() ? spec.activation : rule.requires_activation;
  const auto idx = static_cast<std::uint64_t>(spec.index);

  // Initialise.
  auto gi = make_stream(plan.seed, idx, stream_purpose::initialization);
  ctrnn_config cfg = rule.config;
  cfg.n_units = spec.n_units;
  const Index M = std::visit([](const auto& t) { return t.n_inputs(); }, task);
  const Index O = std::visit([](const auto& t) { return t.n_outputs(); }, task);
  study_network net = rule.make_network ? rule.make_network(spec, task, cfg, gi)
                      : activation == "tanh"
                          ? study_network(make_ctrnn<float, activations::tanh>(cfg, M, O, gi))
                          : study_network(make_ctrnn<float, activations::one_plus_tanh>(cfg, M, O, gi));

  // Train.
  train_options opt = train_options::reference_code();
  opt.stop.accuracy = plan.scale.stop_accuracy;
  opt.stop.window = plan.scale.stop_window;
  opt.max_updates = plan.scale.max_updates_for(spec.rule);
  opt.validation = validation_mode::lazy;
  opt.progress = progress_display::never;
  opt.evaluation.threads = 1;
  opt.seed = make_stream(plan.seed, idx, stream_purpose::training)();
  if (rule.configure) rule.configure(opt, spec);
  auto t0 = clock::now();
  training_report report = rule.train(net, task, plan.scale, opt);
  timing.train = since(t0);
  timing.train_cpu = detail::study_thread_cpu() - cpu_start;
  timing.updates = report.updates;
  timing.status = std::string(to_name(report.status));
  report.wall_seconds = 0;  // wall-clock times live in timings/, not in the entry
  report.validation_seconds = 0;
  io::json tj = report;
  tj.erase("wall_seconds");
  tj.erase("validation_seconds");
  tj["seed"] = opt.seed;
  tj["rule"] = spec.rule;
  tj["max_updates"] = opt.max_updates;
  tj["converged"] = report.status == training_status::converged;
  tj["activation"] = activation;
  tj["task"] = std::visit(
      [](const auto& t) {
        io::json j = t.params();
        return j;
      },
      task);
  io::write_json(dir / "training.json", tj);

  auto ga = make_stream(plan.seed, idx, stream_purpose::analysis);
  std::visit(
      [&](const auto& n) {
        io::network_metadata meta;
        meta.preset = "study:" + spec.rule;
        meta.seed = plan.seed;
        meta.extra = {{"study_index", spec.index}, {"group", spec.group()}};
        io::save_network(dir / "network", n, meta);

        // Fixed points on the probe sets; topology signature on "small".
        t0 = clock::now();
        const auto traj = std::visit(
            [&](const auto& t) { return t.template sample<float>(8, ga).inputs; }, task);
        std::vector<fixed_point_result> small_results;
        for (const auto& set_name : stored_probe_sets()) {
          const probe_set probes = probe_set_by_name(set_name, M);
          std::vector<fixed_point_result> results;
          detail::study_write_fixed_points(dir / "fixed_points" / set_name, n, probes, plan.scale.fp_starts, traj, ga,
                                           results);
          if (set_name == "small") small_results = std::move(results);
        }
        const probe_set small = probe_set_by_name("small", M);
        const auto sig = attractor_topology_signature(collect_fixed_points(small_results, small));
        io::json topo{{"status", std::string(to_name(sig.status))},
                      {"probe_set", "small"},
                      {"n_roots", collect_fixed_points(small_results, small).size()},
                      {"label", "context_value"},
                      {"n_neighbours", 3},
                      {"first_roots", 10}};
        io::json labels = io::json::array();
        for (const auto& l : sig.neighbours) labels.push_back({{"context", l.context}, {"value", l.value}});
        topo["neighbour_labels"] = labels;
        io::write_json(dir / "topology.json", topo);
        io::write_npy_vector(dir / "topology_signature.npy",
                             sig.vector.size() > 0 ? sig.vector : Eigen::VectorXd(Eigen::VectorXd::Zero(0)));
        timing.fixed_points = since(t0);

        // Activity on the SVCCA probes.
        t0 = clock::now();
        const int n_ctx = spec.task == "rdm" ? 1 : spec.contexts;
        svcca_probe_params pp;
        pp.n_steps = plan.scale.n_steps;
        const auto probes = svcca_probe_inputs<float>(n_ctx, spec.task != "rdm", pp);
        const Eigen::MatrixXd A = record_activity(n, probes, rule.activity, ga);
        io::write_npy(dir / "activity.npy", Eigen::MatrixXf(A.cast<float>()));
        timing.activity = since(t0);

        // Psychometric curve (context 0) and its sigmoid.
        t0 = clock::now();
        const auto coh = detail::psychometric_coherences(plan);
        const auto curve = std::visit(
            [&](const auto& t) { return measure_psychometric(n, t, coh, 0, plan.scale.psychometric_trials, ga); }, task);
        const sigmoid_fit fit = fit_sigmoid(curve.coherence, curve.fraction_positive);
        io::write_json(dir / "psychometric.json", {{"context", 0},
                                                   {"trials_per_point", curve.trials_per_point},
                                                   {"coherence", curve.coherence},
                                                   {"fraction_positive", curve.fraction_positive},
                                                   {"fit",
                                                    {{"formula", "L/(1+exp(-k(x-x0)))+b"},
                                                     {"status", std::string(to_name(fit.status))},
                                                     {"L", fit.L},
                                                     {"k", fit.k},
                                                     {"x0", fit.x0},
                                                     {"b", fit.b},
                                                     {"rss", fit.rss}}}});
        timing.psychometric = since(t0);

        // Transient vs stable integration.
        t0 = clock::now();
        integration_params ip;
        ip.n_starts = plan.scale.integration_starts;
        ip.pulse_steps = plan.scale.integration_pulse_steps;
        ip.relax_steps = plan.scale.integration_relax_steps;
        ip.seed = make_stream(plan.seed, idx, stream_purpose::analysis)();
        ip.fixed_points.n_threads = 1;
        const auto mech = classify_integration(n, ip);
        const Index Ttot = ip.pulse_steps + ip.relax_steps;
        tensor<double, 3> outs({static_cast<Index>(mech.contexts.size()), 2, Ttot});
        io::json ctxs = io::json::array();
        for (std::size_t c = 0; c < mech.contexts.size(); ++c) {
          const auto& cm = mech.contexts[c];
          for (Index t = 0; t < Ttot; ++t) {
            outs(static_cast<Index>(c), 0, t) = cm.output_plus(t, 0);
            outs(static_cast<Index>(c), 1, t) = cm.output_minus(t, 0);
          }
          ctxs.push_back({{"context", cm.context},
                          {"n_stable", cm.n_stable},
                          {"n_fixed_points", cm.zero_evidence.fixed_points.size()},
                          {"n_slow_points", cm.zero_evidence.slow_points.size()},
                          {"by_fixed_points", std::string(to_name(cm.by_fixed_points))},
                          {"by_pulse", std::string(to_name(cm.by_pulse))},
                          {"output_retention", cm.output_retention}});
        }
        io::write_json(dir / "integration.json", {{"overall", std::string(to_name(mech.overall))},
                                                  {"pulse_steps", ip.pulse_steps},
                                                  {"relax_steps", ip.relax_steps},
                                                  {"coherence", ip.coherence},
                                                  {"contexts", ctxs}});
        io::write_npy(dir / "integration_outputs.npy", outs);
        timing.integration = since(t0);
      },
      net);
  timing.total = since(t_start);
  timing.cpu = detail::study_thread_cpu() - cpu_start;
  return timing;
}

}  // namespace rnnlab::study
