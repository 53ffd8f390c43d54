#pragma once
/// Scenario files (TOML) into a validated, immutable models::model_spec. This is the only layer
/// that parses text. Every problem is a sim::scenario_error naming the file, line, column and key
/// path, what was expected and what was found; nothing falls back to a default silently.
/// The format is documented in docs/scenarios.md.

#include <tradeeco/models/spec.hpp>

#include <filesystem>
#include <string_view>

namespace tradeeco::scenarios {

/// Reads, resolves `extends` (relative to the file's folder) and validates a scenario file.
models::model_spec load_file(const std::filesystem::path& path);

/// The same from text. `name` is used in messages in place of a file name; `base_dir` resolves
/// `extends`.
models::model_spec load_string(std::string_view text, std::string_view name = "<string>",
                               const std::filesystem::path& base_dir = ".");

} // namespace tradeeco::scenarios
