#pragma once
/// What a model records, independent of any file format: time series of named indicators with
/// units (monthly or yearly), and event tables (one row per event). A unit comes twice: `unit`
/// is the UDUNITS-2 string CF-1.8 readers parse ("1e8", "1", "percent"), `unit_label` the unit
/// as people write it ("100m CNY", "firms"), which tables and plots show. The model feeds a
/// `recorder`; `replicate_record` keeps one replicate in memory; `results_writer`
/// (results_writer.hpp) puts replicates into an HDF5/netCDF-4 file.

#include <tradeeco/sim/state_archive.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tradeeco::sim {

enum class frequency : std::uint8_t { monthly, yearly };

/// Free-form attributes written next to a variable (units, long_name and targets are typical).
struct attributes {
    std::vector<std::pair<std::string, std::string>> text;
    std::vector<std::pair<std::string, double>> number;
};

struct series_spec {
    std::string name;      ///< variable name, e.g. "trading_firms"
    std::string unit;      ///< UDUNITS-2 string, written as `units`: e.g. "1", "1e8", "percent"
    std::string long_name; ///< human-readable description; says what a count ("1") counts
    frequency freq = frequency::monthly;
    attributes attrs;
    std::string unit_label{}; ///< as people write it, written as `unit_label`: "firms", "100m CNY"
};

enum class column_type : std::uint8_t { f64, i64 };

struct table_column_spec {
    std::string name;
    std::string unit; ///< UDUNITS-2 string, as series_spec::unit; empty for codes and indices
    std::string long_name;
    column_type type = column_type::f64;
    std::string unit_label{}; ///< as series_spec::unit_label
};

struct table_spec {
    std::string name;      ///< e.g. "train_departures"
    std::string long_name;
    std::vector<table_column_spec> columns;
};

/// The interface a model records through.
class recorder {
public:
    virtual ~recorder() = default;
    virtual std::size_t declare_series(series_spec spec) = 0;
    /// period is a month index for monthly series and a year index for yearly ones.
    virtual void record(std::size_t series, std::int32_t period, double value) = 0;
    virtual std::size_t declare_table(table_spec spec) = 0;
    /// One value per column, in declaration order (integers stored exactly up to 2^53).
    virtual void append_row(std::size_t table, std::span<const double> row) = 0;
};

/// One replicate's results in memory. Series start as NaN: a period never recorded stays NaN.
class replicate_record final: public recorder {
public:
    replicate_record(std::int32_t num_months, std::int32_t num_years):
        num_months_(num_months), num_years_(num_years) {}

    std::size_t declare_series(series_spec spec) override;
    void record(std::size_t series, std::int32_t period, double value) override;
    std::size_t declare_table(table_spec spec) override;
    void append_row(std::size_t table, std::span<const double> row) override;

    const std::vector<series_spec>& series_specs() const noexcept { return series_specs_; }
    const std::vector<table_spec>& table_specs() const noexcept { return table_specs_; }
    /// Values of a series: num_months or num_years entries.
    const std::vector<double>& values(std::size_t series) const { return values_.at(series); }
    /// Column c of table t.
    const std::vector<double>& table_column(std::size_t t, std::size_t c) const {
        return tables_.at(t).at(c);
    }
    std::size_t table_rows(std::size_t t) const {
        return tables_.at(t).empty() ? 0 : tables_[t][0].size();
    }
    /// Index of a series by name, or throws std::out_of_range.
    std::size_t series_index(const std::string& name) const;
    std::int32_t num_months() const noexcept { return num_months_; }
    /// Puts every series' values and every table's rows so far into `a` under `prefix`.
    void save(state_archive& a, const std::string& prefix) const;
    /// Reads back what save() put: the series and tables must be the ones declared here, by
    /// name and in order (model_error otherwise).
    void load(const state_archive& a, const std::string& prefix);
    std::int32_t num_years() const noexcept { return num_years_; }

private:
    std::int32_t num_months_, num_years_;
    std::vector<series_spec> series_specs_;
    std::vector<std::vector<double>> values_;
    std::vector<table_spec> table_specs_;
    std::vector<std::vector<std::vector<double>>> tables_;
};

} // namespace tradeeco::sim
