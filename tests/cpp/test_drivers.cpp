// Drivers (data/drivers.csv, embedded at build time): the central path follows the file's growth
// rates, the per-replicate draws have the documented spread and correlation, and depend only on
// (seed, replicate); a year the file lacks is a clear error.
#include "catch.hpp"

#include <tradeeco/models/drivers.hpp>
#include <tradeeco/models/parameters.hpp>
#include <tradeeco/scenarios/load.hpp>
#include <tradeeco/sim/errors.hpp>

#include <cmath>
#include <map>
#include <string>
#include <vector>

using namespace tradeeco;
using models::driver_paths;
using models::parameter_set;
using models::region;
using models::sector;

namespace {
constexpr auto eu = std::size_t(region::eu);
constexpr auto us = std::size_t(region::us);
constexpr auto chem = std::size_t(sector::chemicals_materials);

double mid(const driver_paths& p, std::size_t s, std::size_t d, int year) {
    // Mid-June and mid-July sit 1/24 year either side of mid-year: their geometric mean is the
    // year's level up to (next year's growth - this year's) / 48, below 1e-3 here.
    return std::sqrt(p.demand(s, d, sim::make_date(year, 6, 15)) * p.demand(s, d, sim::make_date(year, 7, 15)));
}
} // namespace

TEST_CASE("the central driver path follows the file's growth rates") {
    const parameter_set par({{"driver_uncertainty", 0.0}});
    const driver_paths p(models::shipped_drivers(), par, 2024, 2027, 1, 0);
    CHECK(mid(p, chem, eu, 2024) == Approx(1.0).epsilon(1e-3));
    CHECK(mid(p, chem, eu, 2025) == Approx(1.012).epsilon(1e-3)); // euro area +1.2% (WEO Oct 2024)
    CHECK(mid(p, chem, us, 2026) == Approx(1.022 * 1.022).epsilon(1e-3));
    // Laptops follow world PC shipments (IDC: +4.3% in 2025), autos China's vehicle exports.
    CHECK(mid(p, std::size_t(sector::laptops_electronics), us, 2025) == Approx(1.043).epsilon(1e-3));
    CHECK(p.vehicle_exports(2027, 2024) == Approx(1.05 * 1.05 * 1.05).epsilon(1e-9));
    CHECK(p.vehicle_exports(2024, 2024) == 1.0);
    // Monthly values rise smoothly through the year.
    CHECK(p.demand(chem, eu, sim::make_date(2025, 3, 1)) < p.demand(chem, eu, sim::make_date(2025, 4, 1)));
    CHECK(driver_paths::flat()[0][0] == 1.0);
}

TEST_CASE("a hindcast's paths start from its base year, on realized values with no driver draws") {
    // Default parameters but the city's own course (its test is below): driver_uncertainty is
    // on, but no driver error is drawn for years up to 2024.
    const parameter_set par({{"city_share_error_sd", 0.0}});
    const driver_paths p(models::shipped_drivers(), par, 2018, 2019, 2024, 1, 0);
    CHECK(mid(p, chem, eu, 2018) == Approx(1.0).epsilon(1e-3));
    // mid() is off by (next year's growth - this year's) / 48: up to 0.6 % in these swings.
    // Volumes are turned into CNY at the year's CNY/USD rate over 2018's (Fed H.10: 6.609 in
    // 2018, 6.9042 in 2020, 6.4508 in 2021), China's suppliers win China's share of world
    // exports (WTO: 12.8 % in 2018, 14.7 % in 2020, 15.0 % in 2021), and GDP-driven demand is
    // priced at the world's trade price (WTO value over volume: -2.9 %, -2.85 %, +14.75 %).
    const double price20 = 0.971 * 0.9715, price21 = price20 * 1.1475;
    CHECK(mid(p, chem, eu, 2020) ==
          Approx(1.0163 * 0.9399 * 6.9042 / 6.609 * 14.7 / 12.8 * price20).epsilon(4e-3)); // euro area 2019, 2020
    // PC shipments count units: no world price for laptops.
    CHECK(mid(p, std::size_t(sector::laptops_electronics), us, 2021) ==
          Approx(1.027 * 1.1346 * 1.1527 * 6.4508 / 6.609 * 15.0 / 12.8).epsilon(7e-3)); // IDC 2019-2021
    // China's vehicle exports already carry its market share: autos get no share factor.
    CHECK(mid(p, std::size_t(sector::autos_parts), us, 2021) ==
          Approx(0.902 * 0.971 * 2.0251 * 6.4508 / 6.609).epsilon(0.02)); // CAAM 2019-2021
    // China's demand for imports too; the national vehicle count stays a count (no rate).
    CHECK(std::sqrt(p.china(sim::make_date(2021, 6, 15)) * p.china(sim::make_date(2021, 7, 15))) ==
          Approx(1.0607 * 1.0234 * 1.0856 * 6.4508 / 6.609 * price21).epsilon(1e-2));
    CHECK(p.vehicle_exports(2019, 2024) == Approx(1.0 / (0.971 * 2.0251 * 1.5434 * 1.5788 * 1.193)).epsilon(1e-3));
    const driver_paths q(models::shipped_drivers(), par, 2018, 2019, 2024, 1, 7); // another replicate
    CHECK(mid(q, chem, eu, 2023) == mid(p, chem, eu, 2023));
    // The base year is the first simulated year or the one before.
    CHECK_THROWS_AS(driver_paths(models::shipped_drivers(), par, 2017, 2019, 2024, 1, 0), sim::model_error);
}

TEST_CASE("the city's share of China's trade draws an error for every year after the base year") {
    // The same replicate with and without the city's draw: the ratio is the draw alone.
    const parameter_set with, without({{"city_share_error_sd", 0.0}});
    const auto autos = std::size_t(sector::autos_parts), laptops = std::size_t(sector::laptops_electronics);
    const int n = 4000;
    double s1 = 0, s2 = 0;
    for (int r = 0; r < n; ++r) {
        // A hindcast from 2018: the national drivers are realized, the city's course is not.
        const driver_paths a(models::shipped_drivers(), with, 2018, 2019, 2024, 3, std::uint32_t(r));
        const driver_paths b(models::shipped_drivers(), without, 2018, 2019, 2024, 3, std::uint32_t(r));
        const double ratio = mid(a, chem, eu, 2019) / mid(b, chem, eu, 2019);
        const double e = std::log(ratio) * 100.0;
        s1 += e;
        s2 += e * e;
        // One draw for every sector and region, and for the ordinary imports.
        CHECK(mid(a, autos, us, 2019) / mid(b, autos, us, 2019) == Approx(ratio).epsilon(1e-9));
        CHECK(mid(a, laptops, eu, 2019) / mid(b, laptops, eu, 2019) == Approx(ratio).epsilon(1e-9));
        const auto june = sim::make_date(2019, 6, 15), july = sim::make_date(2019, 7, 15);
        CHECK(std::sqrt(a.china(june) * a.china(july) / (b.china(june) * b.china(july))) ==
              Approx(ratio).epsilon(1e-9));
    }
    // city_share_error_sd = 6.8 pp (mid() averages a month either side: ~0.1 % off).
    const double mean = s1 / n;
    CHECK(std::sqrt(s2 / n - mean * mean) == Approx(6.8).epsilon(0.06));
    CHECK(std::abs(mean) < 0.5);
    // A forecast from 2024: nothing drawn for its base year or before.
    const driver_paths a(models::shipped_drivers(), with, 2024, 2027, 3, 1);
    const driver_paths b(models::shipped_drivers(), without, 2024, 2027, 3, 1);
    const auto march = sim::make_date(2024, 3, 15);
    CHECK(a.demand(chem, eu, march) == b.demand(chem, eu, march));
    CHECK(mid(a, chem, eu, 2026) != mid(b, chem, eu, 2026));
    // driver_uncertainty = 0 turns it off with the drivers' errors.
    const parameter_set off({{"driver_uncertainty", 0.0}});
    const parameter_set off_too({{"driver_uncertainty", 0.0}, {"city_share_error_sd", 0.0}});
    const driver_paths c(models::shipped_drivers(), off, 2018, 2019, 2024, 3, 1);
    const driver_paths d(models::shipped_drivers(), off_too, 2018, 2019, 2024, 3, 1);
    CHECK(mid(c, chem, eu, 2022) == mid(d, chem, eu, 2022));
}

TEST_CASE("world trade prices draw an error tied to the world factor, for GDP-driven demand and imports") {
    // Every other own term off; GDP's error stays on, to see the correlation through the world factor.
    const std::map<std::string, double> others{{"export_share_error_sd", 0.0},
                                               {"pc_shipments_error_sd", 0.0},
                                               {"vehicle_exports_error_sd", 0.0},
                                               {"city_share_error_sd", 0.0}};
    auto no_price = others;
    no_price["trade_price_error_sd"] = 0.0;
    const parameter_set with(others), without(no_price);
    const auto autos = std::size_t(sector::autos_parts), laptops = std::size_t(sector::laptops_electronics);
    const int n = 4000;
    std::vector<double> price(n), gdp(n);
    for (int r = 0; r < n; ++r) {
        const driver_paths a(models::shipped_drivers(), with, 2024, 2027, 7, std::uint32_t(r));
        const driver_paths b(models::shipped_drivers(), without, 2024, 2027, 7, std::uint32_t(r));
        price[std::size_t(r)] = std::log(mid(a, chem, eu, 2025) / mid(b, chem, eu, 2025)) * 100.0;
        gdp[std::size_t(r)] = std::log(mid(b, chem, eu, 2025) / 1.012) * 100.0;
        // Laptops (units) and autos carry no world price.
        CHECK(mid(a, laptops, us, 2025) == mid(b, laptops, us, 2025));
        CHECK(mid(a, autos, us, 2025) == mid(b, autos, us, 2025));
    }
    double sp = 0, sg = 0, spp = 0, sgg = 0, spg = 0;
    for (int i = 0; i < n; ++i) {
        sp += price[std::size_t(i)], sg += gdp[std::size_t(i)];
        spp += price[std::size_t(i)] * price[std::size_t(i)], sgg += gdp[std::size_t(i)] * gdp[std::size_t(i)];
        spg += price[std::size_t(i)] * gdp[std::size_t(i)];
    }
    const double vp = spp / n - (sp / n) * (sp / n), vg = sgg / n - (sg / n) * (sg / n);
    // trade_price_error_sd = 5.1 pp around the no-change forecast; world-factor weight 0.5.
    CHECK(std::sqrt(vp) == Approx(5.1).epsilon(0.06));
    CHECK((spg / n - sp / n * sg / n) / std::sqrt(vp * vg) == Approx(0.5).margin(0.05));
}

TEST_CASE("driver draws have the documented spread and world correlation, per replicate") {
    // GDP errors alone here; the other series' draws have their own tests.
    const parameter_set par(
        {{"export_share_error_sd", 0.0}, {"trade_price_error_sd", 0.0}, {"city_share_error_sd", 0.0}});
    const int n = 4000;
    std::vector<double> a(n), b(n);
    for (int r = 0; r < n; ++r) {
        const driver_paths p(models::shipped_drivers(), par, 2024, 2027, 7, std::uint32_t(r));
        a[std::size_t(r)] = std::log(mid(p, chem, eu, 2025) / 1.012) * 100.0; // error in pp
        b[std::size_t(r)] = std::log(mid(p, chem, us, 2025) / 1.022) * 100.0;
    }
    auto mean = [&](const std::vector<double>& x) {
        double s = 0;
        for (double v: x) s += v;
        return s / n;
    };
    const double ma = mean(a), mb = mean(b);
    double saa = 0, sbb = 0, sab = 0;
    for (int i = 0; i < n; ++i) {
        saa += (a[std::size_t(i)] - ma) * (a[std::size_t(i)] - ma);
        sbb += (b[std::size_t(i)] - mb) * (b[std::size_t(i)] - mb);
        sab += (a[std::size_t(i)] - ma) * (b[std::size_t(i)] - mb);
    }
    // Horizon 1 (2025): SD driver_error_sd_h1 = 1.58 pp (log scale: ~1.56 for the EU's level).
    CHECK(std::sqrt(saa / n) == Approx(1.58 / 1.012).epsilon(0.06));
    CHECK(sab / std::sqrt(saa * sbb) == Approx(0.5).margin(0.05));

    // Same seed and replicate, same path; another replicate, another path.
    const driver_paths p1(models::shipped_drivers(), par, 2024, 2027, 7, 3);
    const driver_paths p2(models::shipped_drivers(), par, 2024, 2027, 7, 3);
    const driver_paths p3(models::shipped_drivers(), par, 2024, 2027, 7, 4);
    CHECK(mid(p1, chem, eu, 2027) == mid(p2, chem, eu, 2027));
    CHECK(mid(p1, chem, eu, 2027) != mid(p3, chem, eu, 2027));
}

TEST_CASE("China's export share draws its own error, common to every sector but autos") {
    // Only the share's error: the region's GDP and the sector series on their central paths.
    const parameter_set par({{"driver_error_sd_h1", 0.0},
                             {"driver_error_sd_h2", 0.0},
                             {"driver_error_sd_h3", 0.0},
                             {"pc_shipments_error_sd", 0.0},
                             {"vehicle_exports_error_sd", 0.0},
                             {"trade_price_error_sd", 0.0},
                             {"city_share_error_sd", 0.0}});
    const int n = 4000;
    double s1 = 0, s2 = 0;
    for (int r = 0; r < n; ++r) {
        const driver_paths p(models::shipped_drivers(), par, 2024, 2027, 7, std::uint32_t(r));
        const double e = std::log(mid(p, chem, eu, 2025) / 1.012) * 100.0; // error in pp
        s1 += e;
        s2 += e * e;
        // The same share for every region; none for autos.
        CHECK(mid(p, chem, us, 2025) / 1.022 == Approx(mid(p, chem, eu, 2025) / 1.012).epsilon(1e-3));
        CHECK(mid(p, std::size_t(sector::autos_parts), eu, 2025) == Approx(1.05).epsilon(1e-3));
    }
    // export_share_error_sd = 2.9 pp at every horizon; the no-change forecast centres it at 0.
    const double mean = s1 / n;
    CHECK(std::sqrt(s2 / n - mean * mean) == Approx(2.9).epsilon(0.06));
    CHECK(std::abs(mean) < 0.2);
}

TEST_CASE("China's export share and world trade prices draw errors that offset") {
    // Laptops carry the share but no price; chemicals carry both: their ratio is the price.
    const parameter_set par({{"driver_error_sd_h1", 0.0},
                             {"driver_error_sd_h2", 0.0},
                             {"driver_error_sd_h3", 0.0},
                             {"pc_shipments_error_sd", 0.0},
                             {"vehicle_exports_error_sd", 0.0},
                             {"city_share_error_sd", 0.0}});
    const auto laptops = std::size_t(sector::laptops_electronics);
    const int n = 4000;
    double ss = 0, pp = 0, sp = 0;
    for (int r = 0; r < n; ++r) {
        const driver_paths p(models::shipped_drivers(), par, 2024, 2027, 11, std::uint32_t(r));
        const double share = std::log(mid(p, laptops, eu, 2026) / (1.043 * 1.0124));
        const double price = std::log(mid(p, chem, eu, 2026) / (1.012 * 1.012)) - share;
        ss += share * share, pp += price * price, sp += share * price;
    }
    // share_price_error_corr = -0.68 (no-change forecasts: the errors centre on 0).
    CHECK(sp / std::sqrt(ss * pp) == Approx(-0.68).margin(0.05));
}

TEST_CASE("other provinces' corridor cargo is indexed to 2024, the year the transit pool is calibrated to") {
    const parameter_set par;
    // A hindcast from 2018: realized growth (national rail-sea TEU: 2020 +144.68 %, 2021
    // +173.91 %, 2022 +19.75 %, 2023 +14 %, 2024 +11.5 %; 2019 the trains' +94.4 %), no draw.
    const driver_paths h(models::shipped_drivers(), par, 2018, 2019, 2024, 5, 0);
    const double after_2019 = 2.4468 * 2.7391 * 1.1975 * 1.14 * 1.115;
    CHECK(h.corridor_cargo_in_base_year() == Approx(1.0 / (1.944 * after_2019)).epsilon(1e-3));
    auto mid = [](const driver_paths& p, int year) {
        return std::sqrt(p.corridor_cargo(sim::make_date(year, 6, 15)) * p.corridor_cargo(sim::make_date(year, 7, 15)));
    };
    // mid() is off by up to (next year's growth - this year's) / 48 in log: ~2 % across 2020-21.
    CHECK(mid(h, 2019) == Approx(1.0 / after_2019).epsilon(0.03));
    CHECK(mid(h, 2023) == Approx(1.0 / 1.115).epsilon(2e-3));
    // A forecast from 2024: the burn-in's level is 2024's, 2025 grows by the held +5.3 %, and
    // each replicate draws corridor_cargo_error_sd = 6 pp a year of its own.
    const int n = 4000;
    double s1 = 0, s2 = 0;
    for (int r = 0; r < n; ++r) {
        const driver_paths f(models::shipped_drivers(), par, 2024, 2027, 5, std::uint32_t(r));
        CHECK(f.corridor_cargo_in_base_year() == 1.0);
        const double e = std::log(mid(f, 2025) / 1.053) * 100.0;
        s1 += e, s2 += e * e;
    }
    const double mean = s1 / n;
    CHECK(std::sqrt(s2 / n - mean * mean) == Approx(6.0 / 1.053).epsilon(0.06));
    CHECK(std::abs(mean) < 0.4);
}

TEST_CASE("a run past the driver file's last year is refused with the file and year") {
    const parameter_set par;
    try {
        driver_paths p(models::shipped_drivers(), par, 2024, 2028, 1, 0);
        FAIL("expected a model_error");
    } catch (const sim::model_error& e) {
        const std::string m = e.what();
        CHECK(m.find("data/drivers.csv: no real_gdp_growth row for region eu, sector all, year 2028") !=
              std::string::npos);
    }
}

TEST_CASE("a scenario must run within the years of data/drivers.csv") {
    const auto cover = models::driver_coverage();
    CHECK(cover.first == 2019); // realized rows from 2019 (the hindcast), forecasts to 2027
    CHECK(cover.last == 2027);
    try {
        (void)scenarios::load_string("[scenario]\nname = \"long\"\nstart = 2024-01-01\nend = 2028-12-31\n", "long.toml");
        FAIL("expected a scenario_error");
    } catch (const sim::scenario_error& e) {
        CHECK(std::string(e.what()) == "long.toml:4:7: scenario.end: expected an end date on or before 2027-12-31 "
                                       "(the last year of data/drivers.csv), found 2028-12-31");
    }
    try {
        (void)scenarios::load_string("[scenario]\nname = \"early\"\nstart = 2018-01-01\n", "early.toml");
        FAIL("expected a scenario_error");
    } catch (const sim::scenario_error& e) {
        CHECK(std::string(e.what()) ==
              "early.toml:3:9: scenario.start: expected a start date in 2019 or later (data/drivers.csv has "
              "growth rates for every driver the model reads in 2019-2027 only: add realized rows for the "
              "earlier years), found 2018-01-01");
    }
}
