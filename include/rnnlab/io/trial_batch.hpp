#pragma once
/// \file io/trial_batch.hpp
/// The trial-batch folder (docs/formats.md):
///
///     BATCH_DIR/inputs.npy        (T, B, M)
///     BATCH_DIR/targets.npy       (T, B, O)
///     BATCH_DIR/mask.npy          (T, B)
///     BATCH_DIR/label.npy         (B,) int64, optional: correct decision ±1 or 0
///     BATCH_DIR/coherence.npy     (B,) float64, optional: signed attended mean
///     BATCH_DIR/context.npy       (B,) int64, optional: attended stream
///     BATCH_DIR/stream_means.npy  (B, S) float64, optional
///     BATCH_DIR/batch.json        optional description (task, seed, ...)
///
/// float32 and float64 files are both accepted for inputs, targets and mask.

#include <filesystem>

#include <rnnlab/io/json.hpp>
#include <rnnlab/io/npy.hpp>
#include <rnnlab/tasks/evidence.hpp>
#include <rnnlab/tasks/trial_batch.hpp>
#include <rnnlab/version.hpp>

namespace rnnlab::io {

namespace detail {
/// Validates `batch` and writes its three arrays into `dir` (created if needed), each atomically.
template <class Batch>
void save_trial_batch_arrays(const std::filesystem::path& dir, const Batch& batch) {
  batch.validate("rnnlab::io::save_trial_batch");
  ensure_directory(dir, "rnnlab::io::save_trial_batch");
  write_npy(dir / "inputs.npy", batch.inputs);
  write_npy(dir / "targets.npy", batch.targets);
  write_npy(dir / "mask.npy", batch.mask);
}

template <class Scalar>
void save_trial_batch_files(const std::filesystem::path& dir, const trial_batch<Scalar>& batch,
                            const json& description) {
  json j = description;
  j["format"] = "rnnlab-trial-batch";
  j["format_version"] = 1;
  j["n_steps"] = batch.n_steps();
  j["n_trials"] = batch.n_trials();
  j["n_inputs"] = batch.n_inputs();
  j["n_outputs"] = batch.n_outputs();
  j["library_version"] = std::string(rnnlab::version);
  write_json(dir / "batch.json", j);
}
}  // namespace detail

/// Saves a trial batch folder (each file atomically; batch.json, with `description`, last).
template <class Scalar>
void save_trial_batch(const std::filesystem::path& dir, const trial_batch<Scalar>& batch,
                      const json& description = json::object()) {
  detail::save_trial_batch_arrays(dir, batch);
  detail::save_trial_batch_files(dir, batch, description);
}

/// Saves an evidence batch folder: the trial batch and, when present, its metadata.
template <class Scalar>
void save_trial_batch(const std::filesystem::path& dir, const evidence_batch<Scalar>& batch,
                      const json& description = json::object()) {
  detail::save_trial_batch_arrays(dir, batch);
  if (batch.has_metadata()) {
    write_npy_vector(dir / "label.npy", batch.label.template cast<std::int64_t>());
    write_npy_vector(dir / "context.npy", batch.context.template cast<std::int64_t>());
    write_npy_vector(dir / "coherence.npy", batch.coherence);
    write_npy(dir / "stream_means.npy", batch.stream_means);
  }
  detail::save_trial_batch_files(dir, batch, description);
}

/// Loads a trial batch folder (inputs, targets, mask); every shape is checked against
/// inputs.npy's (T, B). Metadata files, if any, are ignored: `load_evidence_batch` reads them.
template <class Scalar>
trial_batch<Scalar> load_trial_batch(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw io_error("rnnlab::io::load_trial_batch: '" + dir.string() + "' is not a directory");
  trial_batch<Scalar> b;
  b.inputs = read_npy<Scalar, 3>(dir / "inputs.npy");
  const Index T = b.inputs.shape(0), B = b.inputs.shape(1);
  b.targets = read_npy<Scalar, 3>(dir / "targets.npy", {T, B, -1});
  b.mask = read_npy<Scalar, 2>(dir / "mask.npy", {T, B});
  try {
    b.validate("rnnlab::io::load_trial_batch");
  } catch (const argument_error& e) {
    throw io_error("rnnlab::io::load_trial_batch: folder '" + dir.string() + "': " + e.what());
  }
  return b;
}

/// Loads a trial batch folder with the evidence tasks' metadata (label, context, coherence,
/// stream means) when present; without label.npy the metadata stay empty.
template <class Scalar>
evidence_batch<Scalar> load_evidence_batch(const std::filesystem::path& dir) {
  evidence_batch<Scalar> b;
  static_cast<trial_batch<Scalar>&>(b) = load_trial_batch<Scalar>(dir);
  const Index B = b.n_trials();
  if (std::filesystem::exists(dir / "label.npy")) {
    b.label = read_npy_vector<int>(dir / "label.npy", B);
    if (std::filesystem::exists(dir / "context.npy")) b.context = read_npy_vector<int>(dir / "context.npy", B);
    if (std::filesystem::exists(dir / "coherence.npy")) b.coherence = read_npy_vector<double>(dir / "coherence.npy", B);
    if (std::filesystem::exists(dir / "stream_means.npy"))
      b.stream_means = read_npy_matrix<double>(dir / "stream_means.npy", B, -1);
  }
  return b;
}

}  // namespace rnnlab::io
