#pragma once
/// \file io/json.hpp
/// JSON metadata files (nlohmann::json), written atomically and read with errors that name the file.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include <rnnlab/io/atomic.hpp>

namespace rnnlab::io {

using json = nlohmann::json;

/// Writes `value` as indented JSON, atomically.
inline void write_json(const std::filesystem::path& path, const json& value) { write_text(path, value.dump(2) + "\n"); }

/// Reads a JSON file; throws io_error if it is missing or not valid JSON.
inline json read_json(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path))
    throw io_error("rnnlab::io::read_json: file '" + path.string() + "' does not exist");
  try {
    return json::parse(read_text(path));
  } catch (const json::exception& e) {
    throw io_error("rnnlab::io::read_json: file '" + path.string() + "' is not valid JSON: " + e.what());
  }
}

/// A required field of a JSON object, converted to T; io_error naming file and field otherwise.
template <class T>
T json_field(const json& j, const std::string& key, const std::filesystem::path& file) {
  if (!j.is_object() || !j.contains(key))
    throw io_error("rnnlab::io: file '" + file.string() + "': missing field '" + key + "'");
  try {
    return j.at(key).get<T>();
  } catch (const json::exception& e) {
    throw io_error("rnnlab::io: file '" + file.string() + "': field '" + key + "' has the wrong type: " + e.what());
  }
}

}  // namespace rnnlab::io
