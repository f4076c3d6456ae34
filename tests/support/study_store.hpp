// Helpers of the study tests: a tiny plan (seconds per network) and a byte-for-byte comparison of
// two stores (every file but timings/, which holds wall-clock times). Light: plan and store only,
// never the study's heavy functions (study/detail/config.hpp).
#pragma once

#include <rnnlab/study/plan.hpp>
#include <rnnlab/study/store.hpp>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace rnnlab::test {

/// RDM and CDI × `rules` × 2 seeds, 8 units, T = 40, a few updates: the plumbing, not the science.
inline study::study_plan tiny_study_plan(std::vector<std::string> rules = {"bptt"}) {
  study::study_plan p;
  p.name = "tiny";
  p.size = study::study_size::custom;
  p.tasks = {"rdm", "cdi"};
  p.rules = std::move(rules);
  p.n_units = {8};
  p.networks_per_cell = 2;
  p.seed = 5;
  auto& s = p.scale;
  s.n_steps = 40;
  s.noise_std_factor = 0.3;
  s.batch_size = 32;
  s.validation_trials = 100;
  s.max_updates = 6;
  s.fp_starts = 8;
  s.psychometric_trials = 20;
  s.integration_pulse_steps = 10;
  s.integration_relax_steps = 40;
  s.integration_starts = 8;
  s.permutations = 20;
  return p;
}

inline std::string study_file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Relative paths (timings/ excluded) whose bytes differ between stores a and b, or exist in one only.
inline std::vector<std::string> study_store_differences(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto files = [](const std::filesystem::path& root) {
    std::vector<std::string> out;
    for (const auto& rel : study::list_files(root))
      if (rel.rfind("timings/", 0) != 0) out.push_back(rel);
    return out;
  };
  const auto fa = files(a), fb = files(b);
  std::vector<std::string> diff;
  for (const auto& f : fa)
    if (std::find(fb.begin(), fb.end(), f) == fb.end() || study_file_bytes(a / f) != study_file_bytes(b / f))
      diff.push_back(f);
  for (const auto& f : fb)
    if (std::find(fa.begin(), fa.end(), f) == fa.end()) diff.push_back(f);
  return diff;
}

}  // namespace rnnlab::test
