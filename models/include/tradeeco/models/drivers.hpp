#pragma once
/// Exogenous drivers: the yearly paths of data/drivers.csv (GDP growth by region, world PC
/// shipments, China's vehicle exports, China's share of world exports, world trade prices, other
/// provinces' corridor cargo), embedded at build time (tools/drivers_csv.py checks the file and
/// writes the table; a bad file stops the build with file:line:column), turned into monthly
/// indexes, with one draw per replicate from the forecasts' historical errors and from the
/// city's own course.
/// docs/model.md ("Drivers") describes the paths and the error model.

#include <tradeeco/models/parameters.hpp>
#include <tradeeco/models/taxonomy.hpp>
#include <tradeeco/sim/calendar.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>

namespace tradeeco::models {

enum class driver_kind : std::uint8_t { actual, forecast, assumption };

/// One row of data/drivers.csv that the model reads (growth rates in percent per year).
struct driver_row {
    std::string_view driver, region, sector;
    std::int32_t year;
    double value;
    driver_kind kind;
    std::int32_t line; ///< line in data/drivers.csv, for messages
};

/// The rows of the shipped data/drivers.csv that the model reads.
std::span<const driver_row> shipped_drivers() noexcept;

/// First and last year for which every series the model reads has a row: a run may start and
/// end within it (scenario validation checks this).
struct year_span {
    std::int32_t first, last;
};
year_span driver_coverage(std::span<const driver_row> rows = shipped_drivers());

/// The year the forecasts were made in (October 2024 vintages): horizon h of a year is
/// year - forecast_origin_year, and forecast errors are drawn for h >= 1 only.
inline constexpr std::int32_t forecast_origin_year = 2024;

/// Demand indexes for one replicate: 1 = the annual level of the base year.
class driver_paths {
public:
    /// Paths from `rows` for years base_year..last_year, each growth rate plus this replicate's
    /// forecast error (parameters driver_error_*; zero for years up to 2024). Throws
    /// sim::model_error naming data/drivers.csv when a year the run needs has no row.
    driver_paths(std::span<const driver_row> rows, const parameter_set& par, std::int32_t base_year,
                 std::int32_t last_year, std::uint64_t seed, std::uint32_t replicate);
    /// As above for a run whose first simulated year may follow its base year (a hindcast
    /// starts in 2019 from a 2018 state): growth rates are read from first_year on (or 2024 if
    /// earlier), levels are 1 in base_year, which is first_year or the year before.
    driver_paths(std::span<const driver_row> rows, const parameter_set& par, std::int32_t base_year,
                 std::int32_t first_year, std::int32_t last_year, std::uint64_t seed, std::uint32_t replicate);

    /// Foreign demand for sector s in region d in the month of `today`, relative to the base
    /// year's annual level, in CNY: laptops follow world PC shipments, autos China's vehicle
    /// exports, the other sectors the region's real GDP times the world's trade price, each
    /// times the CNY/USD rate and Chongqing's share of China's trade (no change at the centre,
    /// an error drawn for every year after the base year); every sector but autos also times
    /// China's share of world goods exports.
    double demand(std::size_t s, std::size_t d, sim::date today) const;
    using demand_table = std::array<std::array<double, num_regions>, num_sectors>;
    /// All sectors x regions at once (the firm phase's hook).
    demand_table demand(sim::date today) const;
    /// Every index at 1 (the burn-in runs at base-year conditions).
    static demand_table flat() noexcept;
    /// China's domestic demand (real GDP), driving ordinary imports, times the world's trade
    /// price and the CNY/USD rate (imports are priced in foreign currency too), and Chongqing's
    /// share of China's trade.
    double china(sim::date today) const;
    /// The CNY price of sector s's goods relative to the base year: the CNY/USD rate, times the
    /// world's trade price for the sectors whose demand carries it (not laptops or autos).
    double price_level(std::size_t s, sim::date today) const;
    /// Other provinces' cargo on the Land-Sea corridor in the month of `today` relative to 2024,
    /// the year the hub's transit pool is calibrated to (a hindcast's 2019 is a tenth of it).
    double corridor_cargo(sim::date today) const;
    /// The same in the base year (the burn-in's level; 1 in a forecast).
    double corridor_cargo_in_base_year() const;
    /// China's vehicle exports in `year` relative to `year0` (annual levels).
    double vehicle_exports(std::int32_t year, std::int32_t year0) const;

private:
    // Annual log levels by year (base year = 0) of each series.
    using path = std::map<std::int32_t, double>;
    static double monthly(const path& p, sim::date today);
    std::array<path, num_regions> gdp_;
    path china_, pcs_, vehicles_, fx_, export_share_, trade_price_, city_share_, corridor_;
};

} // namespace tradeeco::models
