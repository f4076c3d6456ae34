// Subcommands `ibl analyse` and `ibl radd`: reverse-engineering a trained IBL network (docs/ibl_analysis.md; Schaeffer et al. 2020 Secs. 3.2–3.4, Figs. 4–9).
//   rnnlab ibl analyse --net DIR --out DIR [--blocks B --seed S --grid G]
//   rnnlab ibl radd    --net DIR --out DIR [--blocks B --seed S --readout-scale X]
// --net is a folder of W_rec/W_in/W_out/b/b_out.npy (what `rnnlab ibl train` writes). Both play one
// session of B blocks (make_stream(seed, 0, analysis)) with the network and analyse its hidden states.
// Outputs (.npy arrays, summary.json; all written atomically) are listed in docs/ibl_analysis.md.
#include "commands.hpp"

#include <rnnlab/analysis/radd.hpp>
#include <rnnlab/analysis/unit_pools.hpp>
#include <rnnlab/ibl/dynamics.hpp>
#include <rnnlab/ibl/fixed_points.hpp>
#include <rnnlab/ibl/network.hpp>
#include <rnnlab/ibl/representation.hpp>
#include <rnnlab/io/atomic.hpp>
#include <rnnlab/io/npy.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace rnnlab::cli {
namespace {

struct ibl_analysis_args {
  std::string out, net;
  std::uint64_t seed = 1;
  int blocks = 20;
  Index grid = 15;
  double readout_scale = 0;  // 0: the reference's √N ‖W_out‖_F / √2
};

ctrnn_parameters<double> ibl_analysis_load(const std::filesystem::path& net, std::string_view caller) {
  auto p = ctrnn_parameters<double>::zeros(1, 3, 2);
  p.W_rec = io::read_npy_matrix<double>(net / "W_rec.npy");
  p.W_in = io::read_npy_matrix<double>(net / "W_in.npy");
  p.W_out = io::read_npy_matrix<double>(net / "W_out.npy");
  p.b = io::read_npy_vector<double>(net / "b.npy");
  p.b_out = io::read_npy_vector<double>(net / "b_out.npy");
  const Index n = p.W_rec.rows();
  require_shape(p.W_rec.cols() == n && p.W_in.rows() == n && p.W_in.cols() == 3 && p.W_out.rows() == 2 &&
                    p.W_out.cols() == n && p.b.size() == n && p.b_out.size() == 2,
                caller, "--net", "W_rec N x N, W_in N x 3, W_out 2 x N, b N, b_out 2", "other shapes");
  p.x0 = Eigen::VectorXd::Zero(n);
  return p;
}

struct ibl_analysis_session {
  ctrnn_parameters<double> params;
  ibl_recording recording;
  ibl_representation representation;
};

ibl_analysis_session ibl_analysis_run(const ibl_analysis_args& a, std::string_view caller) {
  require(a.blocks >= 1, caller, "--blocks", ">= 1", a.blocks);
  ibl_analysis_session s{ibl_analysis_load(a.net, caller), {}, {}};
  ibl_params task;
  task.n_blocks = a.blocks;
  auto g = make_stream(a.seed, 0, stream_purpose::analysis);
  ibl_environment env(task);
  s.recording = ibl_record(s.params, env, ibl_sample_session(task, g));
  ibl_representation_params rp;
  rp.seed = a.seed;
  s.representation = ibl_representation_analysis(s.recording.hidden, s.params.W_out.row(1).transpose(),
                                                 s.recording.block_side, rp);
  return s;
}

std::string ibl_analysis_line(const ols_line& l) {
  std::ostringstream o;
  o.precision(8);
  o << "{\"slope\": " << l.slope << ", \"intercept\": " << l.intercept << ", \"slope_se\": " << l.slope_se
    << ", \"r2\": " << l.r2 << ", \"n\": " << l.n << "}";
  return o.str();
}

void ibl_cli_analyse(const ibl_analysis_args& a) {
  constexpr std::string_view fn = "rnnlab ibl analyse";
  const std::filesystem::path out = a.out;
  require(a.grid >= 2, fn, "--grid", ">= 2", a.grid);
  io::ensure_directory(out, fn);
  const auto s = ibl_analysis_run(a, fn);
  const auto& rep = s.representation;
  const auto& rec = s.recording;
  io::write_npy(out / "pcs.npy", rep.pcs);
  io::write_npy(out / "task_aligned.npy", rep.task_aligned);
  io::write_npy(out / "axes.npy", rep.axes);
  io::write_npy_vector(out / "trial_readout.npy", rep.trial_readout);
  io::write_npy_vector(out / "block_readout.npy", rep.block_readout);
  Eigen::VectorXd block(rec.n_steps());
  for (Index t = 0; t < rec.n_steps(); ++t) block(t) = rec.block_side[static_cast<std::size_t>(t)];
  io::write_npy_vector(out / "block_side.npy", block);

  // Dynamics: velocity against evidence, block belief against the Bayesian observer, flow fields and
  // fixed points under the six input conditions.
  const auto velocity = ibl_readout_velocity(rep.task_aligned, rec.inputs, rec.blank);
  const auto scaling = ibl_block_belief_scaling(rec, rep.task_aligned);
  Eigen::MatrixXd belief(2, static_cast<Index>(scaling.bayes.size()));
  for (std::size_t k = 0; k < scaling.bayes.size(); ++k) {
    belief(0, static_cast<Index>(k)) = scaling.bayes[k];
    belief(1, static_cast<Index>(k)) = scaling.network[k];
  }
  io::write_npy(out / "block_belief.npy", belief);
  const Eigen::MatrixXd conditions = ibl_input_conditions();
  const Eigen::VectorXd lo = rep.pcs.rowwise().minCoeff(), hi = rep.pcs.rowwise().maxCoeff();
  std::vector<double> xs, ys;
  for (Index i = 0; i < a.grid; ++i) {
    const double f = static_cast<double>(i) / static_cast<double>(a.grid - 1);
    xs.push_back(lo(0) + f * (hi(0) - lo(0)));
    ys.push_back(lo(1) + f * (hi(1) - lo(1)));
  }
  Eigen::MatrixXd grid_points;
  const Eigen::MatrixXd starts = ibl_plane_grid_starts(rep, a.grid, &grid_points);
  std::ostringstream fp_json;
  fp_json.precision(8);
  fp_json << "[";
  for (Index c = 0; c < conditions.cols(); ++c) {
    const Eigen::VectorXd u = conditions.col(c);
    const auto flow = ibl_flow_field(s.params, rep.mean, rep.axes, xs, ys, u);
    if (c == 0) io::write_npy(out / "flow_points.npy", flow.points);
    io::write_npy(out / ("flow_delta_" + std::to_string(c) + ".npy"), flow.delta);
    if (starts.cols() == 0) {  // no grid point inside the states' hull: no starts
      fp_json << (c ? ", " : "") << "{\"fixed_points\": 0, \"starts\": 0}";
      continue;
    }
    const auto fps = ibl_find_fixed_points(s.params, u, starts);
    const Index P = fps.states.cols();
    Eigen::MatrixXd plane(3, P);  // plane coordinates and stability code per fixed point
    for (Index k = 0; k < P; ++k) {
      plane.col(k).head(2) = rep.axes.transpose() * (fps.states.col(k) - rep.mean);
      plane(2, k) = static_cast<double>(fps.result.fixed_points[static_cast<std::size_t>(k)].stability);
    }
    io::write_npy(out / ("fixed_points_" + std::to_string(c) + ".npy"), plane);
    fp_json << (c ? ", " : "") << "{\"input\": [" << u(0) << ", " << u(1) << ", " << u(2)
            << "], \"fixed_points\": " << P << ", \"stable\": " << fps.result.count(stability_class::stable)
            << ", \"certified_starts\": " << fps.result.n_certified_starts() << ", \"starts\": " << starts.cols() << "}";
  }
  fp_json << "]";

  // Unit pools.
  const auto pools = unit_pools(rec.hidden);
  io::write_npy(out / "correlation.npy", reorder_units(pools.correlation, pools.order));
  io::write_npy(out / "W_rec_ordered.npy", reorder_units(s.params.W_rec, pools.order));
  Eigen::VectorXd order(static_cast<Index>(pools.order.size()));
  for (std::size_t k = 0; k < pools.order.size(); ++k) order(static_cast<Index>(k)) = static_cast<double>(pools.order[k]);
  io::write_npy_vector(out / "unit_order.npy", order);

  std::ostringstream j;
  j.precision(8);
  j << "{\n  \"steps\": " << rec.n_steps() << ",\n  \"trials\": " << rec.trials.size()
    << ",\n  \"network_fraction_correct\": " << ibl_fraction_correct(rec)
    << ",\n  \"explained_variance_2\": " << rep.explained_variance_2
    << ",\n  \"trial_readout_fraction_in_plane\": " << rep.trial_readout_fraction_in_plane
    << ",\n  \"block_classifier_full\": {\"test_accuracy\": " << rep.block_classifier_full.test_accuracy
    << ", \"status\": \"" << to_name(rep.block_classifier_full.model.status) << "\"}"
    << ",\n  \"block_classifier_plane\": {\"test_accuracy\": " << rep.block_classifier_plane.test_accuracy
    << ", \"status\": \"" << to_name(rep.block_classifier_plane.model.status) << "\"}"
    << ",\n  \"angle_full_degrees\": " << rep.angle_full_degrees << ",\n  \"angle_plane_degrees\": "
    << rep.angle_plane_degrees << ",\n  \"velocity_trial\": " << ibl_analysis_line(velocity.trial)
    << ",\n  \"velocity_block\": " << ibl_analysis_line(velocity.block)
    << ",\n  \"block_belief_scaling\": " << ibl_analysis_line(scaling.fit) << ",\n  \"fixed_points\": " << fp_json.str()
    << ",\n  \"unit_pools\": " << pools.n_clusters << "\n}\n";
  io::write_text(out / "summary.json", j.str());
  std::cout << "analysed " << rec.n_steps() << " steps: 2 PCs explain " << rep.explained_variance_2
            << ", block classifier (held out) " << rep.block_classifier_full.test_accuracy << " full / "
            << rep.block_classifier_plane.test_accuracy << " plane, readout angles " << rep.angle_full_degrees
            << " / " << rep.angle_plane_degrees << " deg, " << pools.n_clusters << " unit pools; wrote "
            << out.string() << "\n";
}

void ibl_cli_radd(const ibl_analysis_args& a) {
  constexpr std::string_view fn = "rnnlab ibl radd";
  const std::filesystem::path out = a.out;
  require(a.readout_scale >= 0, fn, "--readout-scale", ">= 0 (0: the reference's)", a.readout_scale);
  io::ensure_directory(out, fn);
  const auto s = ibl_analysis_run(a, fn);
  const auto& z = s.representation.task_aligned;
  const Eigen::VectorXd z0 = Eigen::VectorXd::Zero(2);  // the reference prepends a zero row
  radd_params rp;
  rp.seed = a.seed;
  const auto t0 = std::chrono::steady_clock::now();
  const auto fit = radd_fit(z, s.recording.inputs, z0, rp);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto err = radd_closed_loop_error(fit.model, z, s.recording.inputs, z0);
  const auto control = radd_random_model(2, 3, a.seed, fit.model.scale);
  const auto err_control = radd_closed_loop_error(control, z, s.recording.inputs, z0);
  const Eigen::MatrixXd zhat = radd_rollout(fit.model, s.recording.inputs, z0);
  const Eigen::MatrixXd zctrl = radd_rollout(control, s.recording.inputs, z0);
  io::write_npy(out / "A.npy", fit.model.A);
  io::write_npy(out / "B.npy", fit.model.B);
  io::write_npy_vector(out / "c.npy", fit.model.c);
  io::write_npy(out / "task_aligned.npy", z);
  io::write_npy(out / "radd_states.npy", zhat * fit.model.scale);
  std::ostringstream csv;
  csv.precision(10);
  csv << "trajectory,order,norm_mean,norm_var\n";
  const Eigen::MatrixXd zs = z / fit.model.scale;
  const std::pair<const char*, const Eigen::MatrixXd*> series[] = {
      {"task_aligned", &zs}, {"radd", &zhat}, {"control", &zctrl}};
  for (const auto& [name, m] : series)
    for (const auto& row : time_difference_table(*m, std::min<Index>(20, m->cols() - 1)))
      csv << name << ',' << row.order << ',' << row.norm_mean << ',' << row.norm_var << '\n';
  io::write_text(out / "error_accumulation.csv", csv.str());

  // The distilled model and the network as agents on a fresh session (seed, 1, analysis).
  ibl_params task;
  task.n_blocks = a.blocks;
  auto g = make_stream(a.seed, 1, stream_purpose::analysis);
  const auto session = ibl_sample_session(task, g);
  ibl_environment env(task);
  const double scale = a.readout_scale > 0 ? a.readout_scale : ibl_radd_readout_scale(s.params);
  const double radd_correct = ibl_fraction_correct(ibl_record_radd(fit.model, scale, env, session));
  const double net_correct = ibl_fraction_correct(ibl_record(s.params, env, session));

  std::ostringstream j;
  j.precision(8);
  j << "{\n  \"status\": \"" << to_name(fit.status) << "\",\n  \"scale\": " << fit.model.scale
    << ",\n  \"r2_test\": [" << fit.r2_test(0) << ", " << fit.r2_test(1) << "],\n  \"r2_test_mean\": "
    << fit.r2_test_mean << ",\n  \"closed_loop_rmse\": " << err.rmse << ",\n  \"control_rmse\": " << err_control.rmse
    << ",\n  \"fit_seconds\": " << seconds << ",\n  \"readout_scale\": " << scale
    << ",\n  \"radd_fraction_correct\": " << radd_correct << ",\n  \"network_fraction_correct\": " << net_correct
    << "\n}\n";
  io::write_text(out / "summary.json", j.str());
  std::cout << "RADD: held-out R^2 " << fit.r2_test_mean << ", closed-loop rmse " << err.rmse << " (random control "
            << err_control.rmse << "); as an agent " << radd_correct << " correct vs network " << net_correct
            << "; wrote " << out.string() << "\n";
}

const bool registered_ibl_analysis = register_nested_command("ibl", [](CLI::App& ibl) {
  auto args = std::make_shared<ibl_analysis_args>();
  auto common = [&](CLI::App* c) {
    c->add_option("--net", args->net, "Network folder (W_rec/W_in/W_out/b/b_out.npy)")
        ->required()
        ->check(CLI::ExistingDirectory);
    c->add_option("--out", args->out, "Output folder")->required();
    c->add_option("--seed", args->seed, "Seed of the analysis session and splits")->capture_default_str();
    c->add_option("--blocks", args->blocks, "Blocks of the analysis session")->capture_default_str();
  };
  auto* analyse = ibl.add_subcommand("analyse", "Representation, dynamics, fixed points and unit pools of a network");
  common(analyse);
  analyse->add_option("--grid", args->grid, "Grid points per axis of flow fields and fixed-point starts")
      ->capture_default_str();
  analyse->callback([args] { ibl_cli_analyse(*args); });
  auto* radd = ibl.add_subcommand("radd", "Distil the network to a 2-unit RNN (RADD) and play it as an agent");
  common(radd);
  radd->add_option("--readout-scale", args->readout_scale, "RADD agent's readout scale (0: the reference's)")
      ->capture_default_str();
  radd->callback([args] { ibl_cli_radd(*args); });
});

}  // namespace
}  // namespace rnnlab::cli
