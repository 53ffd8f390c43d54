#include <tradeeco/models/drivers.hpp>

#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/random.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace tradeeco::models {

namespace {

// Random-stream purpose of the driver draws; kept apart from trade_model.cpp's purposes
// (small consecutive numbers) so the two never share draws.
constexpr std::uint32_t p_driver_paths = 101;
// Stream "agents" of the draws: the common world factor, then one own term per series.
constexpr std::uint64_t world_factor = 0;
constexpr std::uint64_t series_china = num_regions + 1, series_pcs = num_regions + 2,
                        series_vehicles = num_regions + 3, series_export_share = num_regions + 4,
                        series_trade_price = num_regions + 5, series_city_share = num_regions + 6,
                        series_corridor = num_regions + 7;

using key = std::tuple<std::string_view, std::string_view, std::string_view>;

// Growth (percent) of one series by year, or a model_error naming the file.
std::map<std::int32_t, double> series(std::span<const driver_row> rows, const key& k,
                                      std::int32_t first, std::int32_t last) {
    std::map<std::int32_t, double> out;
    for (const auto& r: rows)
        if (key{r.driver, r.region, r.sector} == k && r.year >= first && r.year <= last) out[r.year] = r.value;
    for (std::int32_t y = first; y <= last; ++y)
        if (!out.contains(y))
            throw sim::model_error("data/drivers.csv: no " + std::string(std::get<0>(k)) + " row for region " +
                                   std::string(std::get<1>(k)) + ", sector " + std::string(std::get<2>(k)) +
                                   ", year " + std::to_string(y) + " (the run needs years " +
                                   std::to_string(first) + "-" + std::to_string(last) + ")");
    return out;
}

// The series the model reads.
std::vector<key> model_series() {
    std::vector<key> out;
    for (const auto r: region_names) out.emplace_back("real_gdp_growth", r, "all");
    out.emplace_back("real_gdp_growth", "china", "all");
    out.emplace_back("pc_shipments_growth", "world", "laptops_electronics");
    out.emplace_back("vehicle_exports_growth", "china", "autos_parts");
    out.emplace_back("cny_per_usd", "china", "all");
    out.emplace_back("export_share_growth", "china", "all");
    out.emplace_back("world_trade_price_growth", "world", "all");
    out.emplace_back("corridor_cargo_other_provinces_growth", "china", "all");
    return out;
}

} // namespace

year_span driver_coverage(std::span<const driver_row> rows) {
    // The longest run of consecutive years ending at the latest year that every series has.
    std::map<std::int32_t, std::size_t> count;
    for (const auto& k: model_series()) {
        std::set<std::int32_t> years;
        for (const auto& r: rows)
            if (key{r.driver, r.region, r.sector} == k) years.insert(r.year);
        for (const auto y: years) ++count[y];
    }
    const std::size_t n = model_series().size();
    year_span out{0, -1};
    for (auto it = count.rbegin(); it != count.rend(); ++it) {
        if (it->second != n) {
            if (out.last >= 0) break;
            continue;
        }
        if (out.last < 0) out.last = it->first;
        else if (it->first != out.first - 1) break;
        out.first = it->first;
    }
    return out;
}

driver_paths::driver_paths(std::span<const driver_row> rows, const parameter_set& par, std::int32_t base_year,
                           std::int32_t last_year, std::uint64_t seed, std::uint32_t replicate):
    driver_paths(rows, par, base_year, base_year, last_year, seed, replicate) {}

driver_paths::driver_paths(std::span<const driver_row> rows, const parameter_set& par, std::int32_t base_year,
                           std::int32_t first_year, std::int32_t last_year, std::uint64_t seed,
                           std::uint32_t replicate) {
    if (base_year != first_year && base_year != first_year - 1)
        throw sim::model_error("driver paths: the base year " + std::to_string(base_year) +
                               " must be the first simulated year " + std::to_string(first_year) +
                               " or the year before");
    // Paths start at the earlier of the run's first year and 2024 (the national vehicle
    // denominator is a 2024 level) and end with the run (or 2024, for that denominator).
    const std::int32_t first = std::min(first_year, forecast_origin_year);
    const std::int32_t last = std::max({last_year, base_year, forecast_origin_year});
    const double scale = par["driver_uncertainty"];
    const double rho = par["driver_error_world_corr"];
    const double w_common = std::sqrt(rho), w_own = std::sqrt(1.0 - rho);
    const std::array<double, 3> gdp_sd{par["driver_error_sd_h1"], par["driver_error_sd_h2"],
                                       par["driver_error_sd_h3"]};
    auto z = [&](std::uint64_t who, std::int32_t year) {
        sim::random_stream rng({seed, replicate, who, std::uint32_t(year), p_driver_paths});
        return rng.normal();
    };
    // The standard normal behind a series' error in a year: a common world factor correlates
    // the series (docs/model.md, "Drivers").
    auto world_tied = [&](std::uint64_t who, std::int32_t year) {
        return w_common * z(world_factor, year) + w_own * z(who, year);
    };
    // China's share of world exports is a share of value: when world prices rise with goods
    // China does not sell (fuels, 2022) the share falls. Its error is tied to the world price's,
    // not to the world factor directly (the share rose in the 2020 downturn).
    const double c = par["share_price_error_corr"];
    auto price_tied = [&, c](std::uint64_t who, std::int32_t year) {
        return c * world_tied(series_trade_price, year) + std::sqrt(1.0 - c * c) * z(who, year);
    };
    // Error of one series in one year (percentage points), drawn for the years after
    // `known_through` (by default those after the forecasts were made); the caller's SD may
    // depend on the horizon.
    auto errors = [&](auto normal, std::int32_t known_through = forecast_origin_year) {
        return [&, normal, known_through](std::uint64_t who, std::int32_t year, double sd) {
            if (year <= known_through || scale == 0.0) return 0.0;
            return scale * sd * normal(who, year);
        };
    };
    const auto error = errors(world_tied);
    auto constant = [](double sd) { return [sd](std::int32_t) { return sd; }; };
    auto gdp_sd_at = [&](std::int32_t year) {
        const auto h = std::clamp<std::int32_t>(year - forecast_origin_year, 1, 3);
        return gdp_sd[std::size_t(h - 1)];
    };
    // Log of the annual level, 0 in the base year.
    auto levels = [&](const std::map<std::int32_t, double>& growth, std::uint64_t who, auto sd_at,
                      auto draw_error) {
        path p;
        double lv = 0.0;
        p[first - 1] = 0.0;
        for (const auto& [year, g]: growth) {
            const double rate = std::max(-95.0, g + draw_error(who, year, sd_at(year)));
            lv += std::log1p(rate / 100.0);
            p[year] = lv;
        }
        const double at_base = p.at(base_year);
        for (auto& [year, v]: p) v -= at_base;
        return p;
    };
    for (std::size_t d = 0; d < num_regions; ++d)
        gdp_[d] = levels(series(rows, {"real_gdp_growth", region_names[d], "all"}, first, last), 1 + d, gdp_sd_at,
                         error);
    china_ = levels(series(rows, {"real_gdp_growth", "china", "all"}, first, last), series_china, gdp_sd_at, error);
    const double pc_sd = par["pc_shipments_error_sd"], veh_sd = par["vehicle_exports_error_sd"];
    pcs_ = levels(series(rows, {"pc_shipments_growth", "world", "laptops_electronics"}, first, last), series_pcs,
                  constant(pc_sd), error);
    vehicles_ = levels(series(rows, {"vehicle_exports_growth", "china", "autos_parts"}, first, last),
                       series_vehicles, constant(veh_sd), error);
    export_share_ = levels(series(rows, {"export_share_growth", "china", "all"}, first, last), series_export_share,
                           constant(par["export_share_error_sd"]), errors(price_tied));
    // World trade prices fell with world demand in 2020 and rose with it in 2021: the world factor.
    trade_price_ = levels(series(rows, {"world_trade_price_growth", "world", "all"}, first, last),
                          series_trade_price, constant(par["trade_price_error_sd"]), error);
    // Other provinces' corridor cargo: its own course (it grew through the 2020 downturn).
    corridor_ = levels(series(rows, {"corridor_cargo_other_provinces_growth", "china", "all"}, first, last),
                       series_corridor, constant(par["corridor_cargo_error_sd"]), errors(z));
    // Chongqing's share of China's trade follows no driver: no change at the centre, and a draw
    // for every year after the base year, the hindcast's realized years included (the national
    // drivers are known there; the city's own course is not).
    std::map<std::int32_t, double> no_change;
    for (std::int32_t y = first; y <= last; ++y) no_change[y] = 0.0;
    city_share_ = levels(no_change, series_city_share, constant(par["city_share_error_sd"]), errors(z, base_year));
    // The drivers above are volumes; the model's trade is CNY. Foreign sales are priced in
    // foreign currency (mostly USD), so their CNY value moves with the CNY/USD rate: the rate's
    // annual average is a level (not a growth rate), read from the year before the first.
    const auto rate = series(rows, {"cny_per_usd", "china", "all"}, first - 1, last);
    const double at_base = std::log(rate.at(base_year));
    for (const auto& [year, v]: rate) fx_[year] = std::log(v) - at_base;
}

// Annual levels sit at mid-year; months in between are log-linear, and months before the first
// or after the last mid-year continue the nearest year's growth.
double driver_paths::monthly(const path& p, sim::date today) {
    const double t = double(int(today.year())) + (double(unsigned(today.month())) - 0.5) / 12.0 - 0.5;
    const std::int32_t lo = p.begin()->first, hi = std::prev(p.end())->first;
    const auto y0 = std::clamp<std::int32_t>(std::int32_t(std::floor(t)), lo, hi - 1);
    const double a = p.at(y0), b = p.at(y0 + 1);
    return std::exp(a + (t - double(y0)) * (b - a));
}

namespace {
// Sectors whose demand counts units of their own (PC shipments, vehicles), whose price is not
// the world's trade price (no price series for either).
bool counted_in_units(std::size_t s) {
    return s == std::size_t(sector::laptops_electronics) || s == std::size_t(sector::autos_parts);
}
} // namespace

double driver_paths::price_level(std::size_t s, sim::date today) const {
    const double fx = monthly(fx_, today);
    return counted_in_units(s) ? fx : fx * monthly(trade_price_, today);
}

double driver_paths::demand(std::size_t s, std::size_t d, sim::date today) const {
    const double value = price_level(s, today) * monthly(city_share_, today);
    // China's vehicle exports already carry China's share of the world market; the other
    // drivers measure the world's demand, of which China's suppliers win their share.
    if (s == std::size_t(sector::autos_parts)) return value * monthly(vehicles_, today);
    const double share = monthly(export_share_, today);
    if (s == std::size_t(sector::laptops_electronics)) return value * share * monthly(pcs_, today);
    // Real GDP stands for the world's trade volume; the share is a value share, so the world's
    // trade price (in price_level) turns GDP x share into China's export value.
    return value * share * monthly(gdp_[d], today);
}

driver_paths::demand_table driver_paths::demand(sim::date today) const {
    demand_table out{};
    for (std::size_t s = 0; s < num_sectors; ++s)
        for (std::size_t d = 0; d < num_regions; ++d) out[s][d] = demand(s, d, today);
    return out;
}

driver_paths::demand_table driver_paths::flat() noexcept {
    demand_table out{};
    for (auto& row: out) row.fill(1.0);
    return out;
}

double driver_paths::china(sim::date today) const {
    return monthly(china_, today) * monthly(trade_price_, today) * monthly(fx_, today) * monthly(city_share_, today);
}

double driver_paths::corridor_cargo(sim::date today) const {
    return monthly(corridor_, today) / std::exp(corridor_.at(forecast_origin_year));
}

double driver_paths::corridor_cargo_in_base_year() const {
    return std::exp(-corridor_.at(forecast_origin_year));
}

double driver_paths::vehicle_exports(std::int32_t year, std::int32_t year0) const {
    return std::exp(vehicles_.at(year) - vehicles_.at(year0));
}

} // namespace tradeeco::models
