#pragma once
/// Writes replicates into one HDF5 file that is also valid netCDF-4: every variable's dimensions
/// are HDF5 dimension scales, so `xarray.open_dataset(path, engine="h5netcdf")` sees named
/// dimensions (replicate, month, year) with real coordinates. Layout: analysis/README.md.
///
/// The file is written under a temporary name beside the target (`<target>.tmp-<pid>`) and
/// renamed by commit(); a writer destroyed without commit() (an exception, an interrupted run)
/// deletes the temporary, so a file at the target path is always complete.
///
/// Not thread-safe: the HDF5 C library is not built thread-safe on Debian, so callers serialize
/// every call on every writer (for example, write replicates from the thread that runs the
/// ensemble loop). HDF5's own error printing is switched off during each call; failures arrive as
/// io_error with the file, the step and HDF5's innermost message.

#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/recorder.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tradeeco::sim {

/// What the file will hold, fixed when the writer is made.
struct results_layout {
    calendar clock;                  ///< gives the month and year coordinates
    std::vector<series_spec> series; ///< one (replicate, month|year) variable each
    std::vector<table_spec> tables;  ///< one group /events/<name> each
    /// Provenance: scenario text, seed, version, ... (tradeeco_version also goes into
    /// _NCProperties).
    attributes root;
    /// How many replicates the run will write, if known (0: unknown). Chunks then hold at most
    /// that many replicates, which lets commit() make `replicate` a fixed netCDF dimension:
    /// readers open such files much faster than ones with an unlimited dimension.
    std::int32_t expected_replicates = 0;
};

class results_writer {
public:
    /// Creates the temporary file, the month and year coordinates and every variable. Throws
    /// io_error if the target's directory is missing or unwritable, model_error if the layout has
    /// names netCDF cannot hold (duplicates, '/', a reserved name or a leading '_').
    results_writer(std::filesystem::path target, results_layout layout);
    ~results_writer();
    results_writer(const results_writer&) = delete;
    results_writer& operator=(const results_writer&) = delete;

    /// Writes replicate `index` (0-based; replicates may arrive in any order, each once) into
    /// row `index` of every series and appends its event rows. Slots never written read as NaN.
    /// The record must match the layout (series and tables by name, lengths, column names and
    /// types; i64 columns hold integers) or model_error is thrown before anything is written.
    /// Throws io_error if HDF5 fails.
    void write_replicate(std::int32_t index, const replicate_record& record);
    /// Adds or replaces a text root attribute (e.g. finished_at), written at commit.
    void set_root_attribute(const std::string& name, const std::string& value);
    /// Writes the replicate coordinate (0..n-1, n = highest index written + 1) and the root
    /// attributes, closes the file and renames it to its target. Throws io_error; a failed
    /// rename may be retried by calling commit() again.
    void commit();

    const std::filesystem::path& target() const noexcept { return target_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::filesystem::path target_;
};

} // namespace tradeeco::sim
