#pragma once
/// Checkpoint files: a state_archive in an HDF5 file, one dataset per entry under /state, with
/// provenance and the format as root attributes. Layout (format_version 1):
///
///   user block (512 bytes)  "tradeeco-seal crc32=<hex> bytes=<n>", as in result files
///   /                       format = "tradeeco-checkpoint", format_version = 1,
///                           payload_sha256 = state_archive::sha256(), payload_bytes,
///                           created_at (UTC), and the
///                           caller's attributes (scenario, seed, replicate, month, ...)
///   /state/<entry name>     1-D dataset of the entry's type (`bytes` entries as opaque bytes)
///
/// Written like result files: under `<target>.tmp-<pid>`, sealed, flushed, renamed, so a file at
/// the target path is always complete. Reading checks, in order, the seal (before HDF5 parses
/// anything: a damaged file is an error, never a crash inside HDF5), the format and its version,
/// then the payload's SHA-256; each failure is a checkpoint_error naming the file, what was
/// expected and what was found.

#include <tradeeco/sim/recorder.hpp>
#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <filesystem>

namespace tradeeco::sim {

inline constexpr const char* checkpoint_format = "tradeeco-checkpoint";
/// Raised when the layout of /state or the meaning of an entry changes; files of another version
/// are refused (checkpoints are for restarting runs, not for archiving).
inline constexpr std::int32_t checkpoint_format_version = 1;

/// Writes `state` with the attributes `meta` (names must not clash with the format's own).
/// Throws io_error if the directory is missing or the disk fails; no file is left at `target`
/// then.
void write_checkpoint(const std::filesystem::path& target, const state_archive& state,
                      const attributes& meta);

/// The root attributes of a checkpoint file, after checking its seal, format and version.
attributes read_checkpoint_attributes(const std::filesystem::path& file);

/// The state in a checkpoint file, after checking its seal, format, version and payload digest.
/// `meta`, if given, receives the root attributes.
state_archive read_checkpoint(const std::filesystem::path& file, attributes* meta = nullptr);

/// Looks an attribute up by name; throws checkpoint_error naming `file` if it is missing.
const std::string& text_attribute(const attributes& a, const std::string& name,
                                  const std::filesystem::path& file);
double number_attribute(const attributes& a, const std::string& name,
                        const std::filesystem::path& file);

} // namespace tradeeco::sim
