#pragma once
/// \file io.hpp
/// The io module (opt-in: needs xtensor and nlohmann_json): .npy arrays, JSON metadata, network
/// folders and trial-batch folders, all written atomically.

#include <rnnlab/io/atomic.hpp>
#include <rnnlab/io/json.hpp>
#include <rnnlab/io/network.hpp>
#include <rnnlab/io/npy.hpp>
#include <rnnlab/io/trial_batch.hpp>
