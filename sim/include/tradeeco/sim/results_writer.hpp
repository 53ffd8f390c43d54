#pragma once
/// Writes replicates into one HDF5 file that is also valid netCDF-4: every variable's dimensions
/// are HDF5 dimension scales, so `xarray.open_dataset(path, engine="h5netcdf")` sees named
/// dimensions (replicate, month, year) with real coordinates. Layout: analysis/README.md.
///
/// The file is written under a temporary name beside the target and renamed by commit(); a
/// writer destroyed without commit() (an exception, an interrupted run) deletes the temporary, so
/// a file at the target path is always complete.

#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/recorder.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace tradeeco::sim {

struct results_layout {
    calendar clock;
    std::vector<series_spec> series;
    std::vector<table_spec> tables;
    attributes root; ///< provenance: scenario text, seed, version, ...
};

class results_writer {
public:
    /// Creates the temporary file and the coordinate variables. Throws io_error.
    results_writer(std::filesystem::path target, results_layout layout);
    ~results_writer();
    results_writer(const results_writer&) = delete;
    results_writer& operator=(const results_writer&) = delete;

    /// Writes replicate `index` (0-based; replicates may arrive in any order, each once).
    /// The record's series and tables must match the layout. Throws io_error or model_error.
    void write_replicate(std::int32_t index, const replicate_record& record);
    /// Adds a root attribute (e.g. the end time) before commit.
    void set_root_attribute(const std::string& name, const std::string& value);
    /// Flushes, closes and renames the file to its target. Throws io_error.
    void commit();

    const std::filesystem::path& target() const noexcept { return target_; }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
    std::filesystem::path target_;
};

} // namespace tradeeco::sim
