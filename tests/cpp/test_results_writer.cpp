#include "catch.hpp"

#include <tradeeco/sim/errors.hpp>
#include <tradeeco/sim/results_writer.hpp>

// The test reads the file back through the HDF5 C API. The HDF5 include directory should come
// from CMake (tradeeco_hdf5); Debian's serial layout is the fallback when it does not.
#if __has_include(<hdf5.h>)
#include <hdf5.h>
#include <hdf5_hl.h>
#else
#include <hdf5/serial/hdf5.h>
#include <hdf5/serial/hdf5_hl.h>
#endif

#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

using namespace tradeeco::sim;
namespace fs = std::filesystem;

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// A fresh directory per test case, removed afterwards.
struct scratch_dir {
    fs::path path;
    explicit scratch_dir(const std::string& name):
        path(fs::temp_directory_path() /
             ("tradeeco_results_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::vector<fs::path> entries() const {
        std::vector<fs::path> out;
        for (const auto& e: fs::directory_iterator(path)) out.push_back(e.path().filename());
        return out;
    }
};

// 2024-01-15 .. 2025-06-30: 18 months (the first one partial), 2 calendar years.
calendar test_clock() { return calendar(make_date(2024, 1, 15), make_date(2025, 6, 30)); }

results_layout test_layout() {
    results_layout l{test_clock(), {}, {}, {}};
    // units as UDUNITS-2 needs them, unit_label as people write them (models/units.hpp).
    series_spec firms{"trading_firms", "1", "firms trading abroad", frequency::monthly, {},
                      "firms"};
    firms.attrs.text.emplace_back("target_source", "重庆海关 2024"); // non-ASCII on purpose
    firms.attrs.number.emplace_back("target", 3.5);
    l.series.push_back(firms);
    l.series.push_back(
        {"exports_cny", "1e8", "exports by value", frequency::yearly, {}, "100m CNY"});
    l.tables.push_back({"train_departures",
                        "China-Europe Railway Express departures",
                        {{"day", "day", "simulation step of departure", column_type::i64, "day"},
                         {"teu", "1", "containers on the train", column_type::f64, "TEU"}}});
    l.root.text.emplace_back("scenario_name", "baseline");
    l.root.text.emplace_back("tradeeco_version", "0.1.0");
    l.root.number.emplace_back("seed", 42);
    return l;
}

// Values chosen to catch any rounding or reordering: a distinct bit pattern per (replicate,
// period), including -0.0, a subnormal and one unrecorded (NaN) period.
double monthly_value(int rep, int m) {
    if (m == 0) return -0.0;
    if (m == 1) return std::numeric_limits<double>::denorm_min() * (rep + 1);
    return 1.0 / 3.0 + rep * 1000 + m * 0.1;
}
double yearly_value(int rep, int y) { return std::nextafter(100.0 * (rep + 1), 1e9) + y; }

replicate_record make_record(int rep) {
    const auto clock = test_clock();
    replicate_record r(clock.num_months(), clock.num_years());
    const auto layout = test_layout();
    // Declared in another order than the layout: the writer matches by name.
    const auto exports = r.declare_series(layout.series[1]);
    const auto firms = r.declare_series(layout.series[0]);
    for (int m = 0; m < clock.num_months(); ++m)
        if (m != 5) r.record(firms, m, monthly_value(rep, m));
    for (int y = 0; y < clock.num_years(); ++y) r.record(exports, y, yearly_value(rep, y));
    const auto trains = r.declare_table(layout.tables[0]);
    for (int i = 0; i < rep + 1; ++i) { // replicate k has k+1 departures
        const std::vector<double> row{double(10 * i + rep), 41.5 + rep + 0.25 * i};
        r.append_row(trains, row);
    }
    return r;
}

// --- Reading back ----------------------------------------------------------------------------

struct h5 {
    hid_t id;
    herr_t (*close)(hid_t);
    h5(hid_t i, herr_t (*c)(hid_t)): id(i), close(c) { REQUIRE(id >= 0); }
    ~h5() { close(id); }
    h5(const h5&) = delete;
    h5& operator=(const h5&) = delete;
    operator hid_t() const { return id; }
};

std::vector<hsize_t> shape(hid_t ds) {
    h5 space(H5Dget_space(ds), H5Sclose);
    std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(space)));
    H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    return dims;
}

hsize_t max_dim0(hid_t ds) {
    h5 space(H5Dget_space(ds), H5Sclose);
    std::vector<hsize_t> dims(std::size_t(H5Sget_simple_extent_ndims(space))), max(dims.size());
    H5Sget_simple_extent_dims(space, dims.data(), max.data());
    return max[0];
}

template <class T>
std::vector<T> read_all(hid_t file, const std::string& name, hid_t mem_type) {
    h5 ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
    hsize_t n = 1;
    for (auto d: shape(ds)) n *= d;
    std::vector<T> out(n);
    if (n) REQUIRE(H5Dread(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
    return out;
}

std::string text_attribute(hid_t obj, const std::string& name) {
    h5 attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    h5 type(H5Aget_type(attr), H5Tclose);
    REQUIRE(H5Tget_class(type) == H5T_STRING);
    REQUIRE(H5Tis_variable_str(type) == 0); // fixed length: netCDF reads it as NC_CHAR
    std::string out(H5Tget_size(type), '\0');
    h5 space(H5Aget_space(attr), H5Sclose);
    if (H5Sget_simple_extent_type(space) == H5S_NULL) return "";
    REQUIRE(H5Aread(attr, type, out.data()) >= 0);
    return out.substr(0, out.find('\0'));
}

double number_attribute(hid_t obj, const std::string& name) {
    h5 attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    h5 type(H5Aget_type(attr), H5Tclose);
    REQUIRE(H5Tequal(type, H5T_IEEE_F64LE) > 0);
    double out = 0;
    REQUIRE(H5Aread(attr, H5T_NATIVE_DOUBLE, &out) >= 0);
    return out;
}

std::vector<std::int32_t> int_attribute(hid_t obj, const std::string& name) {
    h5 attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    h5 space(H5Aget_space(attr), H5Sclose);
    std::vector<std::int32_t> out(std::size_t(H5Sget_simple_extent_npoints(space)));
    REQUIRE(H5Aread(attr, H5T_NATIVE_INT32, out.data()) >= 0);
    return out;
}

bool has_attribute(hid_t obj, const std::string& name) {
    return H5Aexists(obj, name.c_str()) > 0;
}

// Scale `scale` is the one dimension scale attached to axis `axis` of `var`.
bool attached(hid_t file, const std::string& var, const std::string& scale, unsigned axis) {
    h5 v(H5Dopen2(file, var.c_str(), H5P_DEFAULT), H5Dclose);
    h5 s(H5Dopen2(file, scale.c_str(), H5P_DEFAULT), H5Dclose);
    return H5DSis_scale(s) > 0 && H5DSget_num_scales(v, axis) == 1 &&
           H5DSis_attached(v, s, axis) > 0;
}

bool same_bits(double a, double b) {
    return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
}

void write_sample(const fs::path& target) {
    auto layout = test_layout();
    layout.expected_replicates = 3;
    results_writer w(target, layout);
    for (int rep: {2, 0, 1}) w.write_replicate(rep, make_record(rep)); // out of order on purpose
    w.set_root_attribute("finished_at", "2024-06-01T12:00:00Z");
    w.set_root_attribute("scenario_name", "baseline (set later)"); // overrides layout.root
    w.commit();
}

} // namespace

TEST_CASE("results_writer writes a netCDF-4 layout that reads back bit for bit", "[results]") {
    scratch_dir dir("roundtrip");
    const auto target = dir.path / "run.nc";
    write_sample(target);
    if (const char* out = std::getenv("TRADEECO_SAMPLE_OUT")) fs::copy_file(
        target, out, fs::copy_options::overwrite_existing); // for checks from Python and ncdump
    REQUIRE(dir.entries() == std::vector<fs::path>{"run.nc"}); // no temporary left behind

    h5 file(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    const auto clock = test_clock();
    const auto nm = std::size_t(clock.num_months()), ny = std::size_t(clock.num_years());

    SECTION("coordinates") {
        CHECK(read_all<std::int32_t>(file, "replicate", H5T_NATIVE_INT32) ==
              std::vector<std::int32_t>{0, 1, 2});
        const auto months = read_all<std::int32_t>(file, "month", H5T_NATIVE_INT32);
        CHECK(months == clock.month_offsets_days());
        CHECK(months[0] == 0);
        CHECK(months[1] == 17); // 2024-02-01 is 17 days after 2024-01-15
        CHECK(read_all<std::int32_t>(file, "year", H5T_NATIVE_INT32) ==
              std::vector<std::int32_t>{2024, 2025});
        h5 month(H5Dopen2(file, "month", H5P_DEFAULT), H5Dclose);
        CHECK(text_attribute(month, "units") == "days since 2024-01-15");
        CHECK(text_attribute(month, "calendar") == "proleptic_gregorian");
        h5 replicate(H5Dopen2(file, "replicate", H5P_DEFAULT), H5Dclose);
        CHECK(max_dim0(replicate) == 3); // fixed: as many replicates as expected
        h5 firms(H5Dopen2(file, "trading_firms", H5P_DEFAULT), H5Dclose);
        CHECK(max_dim0(firms) == H5S_UNLIMITED); // the data itself was streamed
        CHECK(int_attribute(replicate, "_Netcdf4Dimid") == std::vector<std::int32_t>{0});
        CHECK(has_attribute(replicate, "REFERENCE_LIST"));
    }

    SECTION("series values, bit for bit, in replicate order whatever the write order") {
        const auto firms = read_all<double>(file, "trading_firms", H5T_NATIVE_DOUBLE);
        REQUIRE(firms.size() == 3 * nm);
        for (int rep = 0; rep < 3; ++rep)
            for (std::size_t m = 0; m < nm; ++m) {
                const double got = firms[std::size_t(rep) * nm + m];
                if (m == 5) CHECK(std::isnan(got)); // never recorded
                else CHECK(same_bits(got, monthly_value(rep, int(m))));
            }
        const auto exports = read_all<double>(file, "exports_cny", H5T_NATIVE_DOUBLE);
        REQUIRE(exports.size() == 3 * ny);
        for (int rep = 0; rep < 3; ++rep)
            for (std::size_t y = 0; y < ny; ++y)
                CHECK(same_bits(exports[std::size_t(rep) * ny + y], yearly_value(rep, int(y))));
    }

    SECTION("dimension scales are attached the netCDF-4 way") {
        CHECK(attached(file, "trading_firms", "replicate", 0));
        CHECK(attached(file, "trading_firms", "month", 1));
        CHECK(attached(file, "exports_cny", "replicate", 0));
        CHECK(attached(file, "exports_cny", "year", 1));
        for (const char* col: {"replicate", "day", "teu"})
            CHECK(attached(file, std::string("events/train_departures/") + col,
                           "events/train_departures/row", 0));
        h5 row(H5Dopen2(file, "events/train_departures/row", H5P_DEFAULT), H5Dclose);
        CHECK(text_attribute(row, "NAME").starts_with(
            "This is a netCDF dimension but not a netCDF variable."));
        h5 firms(H5Dopen2(file, "trading_firms", H5P_DEFAULT), H5Dclose);
        CHECK(int_attribute(firms, "_Netcdf4Coordinates") == std::vector<std::int32_t>{0, 1});
    }

    SECTION("variable attributes") {
        h5 firms(H5Dopen2(file, "trading_firms", H5P_DEFAULT), H5Dclose);
        CHECK(text_attribute(firms, "units") == "1");
        CHECK(text_attribute(firms, "unit_label") == "firms");
        CHECK(text_attribute(firms, "long_name") == "firms trading abroad");
        CHECK(text_attribute(firms, "target_source") == "重庆海关 2024");
        CHECK(number_attribute(firms, "target") == 3.5);
        CHECK(std::isnan(number_attribute(firms, "_FillValue")));
        h5 teu(H5Dopen2(file, "events/train_departures/teu", H5P_DEFAULT), H5Dclose);
        CHECK(text_attribute(teu, "units") == "1");
        CHECK(text_attribute(teu, "unit_label") == "TEU");
        h5 rep(H5Dopen2(file, "events/train_departures/replicate", H5P_DEFAULT), H5Dclose);
        CHECK_FALSE(has_attribute(rep, "units")); // an index has no unit
        CHECK_FALSE(has_attribute(rep, "unit_label"));
    }

    SECTION("event rows keep their replicate, in write order") {
        const std::string t = "events/train_departures/";
        const auto reps = read_all<std::int32_t>(file, t + "replicate", H5T_NATIVE_INT32);
        const auto day = read_all<std::int64_t>(file, t + "day", H5T_NATIVE_INT64);
        const auto teu = read_all<double>(file, t + "teu", H5T_NATIVE_DOUBLE);
        // Written 2, 0, 1 with rep+1 rows each.
        CHECK(reps == std::vector<std::int32_t>{2, 2, 2, 0, 1, 1});
        CHECK(day == std::vector<std::int64_t>{2, 12, 22, 0, 1, 11});
        REQUIRE(teu.size() == 6);
        CHECK(same_bits(teu[0], 43.5));
        CHECK(same_bits(teu[2], 44.0));
        CHECK(same_bits(teu[5], 42.75));
        h5 day_ds(H5Dopen2(file, (t + "day").c_str(), H5P_DEFAULT), H5Dclose);
        h5 type(H5Dget_type(day_ds), H5Tclose);
        CHECK(H5Tequal(type, H5T_STD_I64LE) > 0);
        h5 row(H5Dopen2(file, (t + "row").c_str(), H5P_DEFAULT), H5Dclose);
        CHECK(shape(row) == std::vector<hsize_t>{6});
    }

    SECTION("root attributes: provenance and conventions") {
        h5 root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
        CHECK(text_attribute(root, "Conventions") == "CF-1.8");
        CHECK(text_attribute(root, "scenario_name") == "baseline (set later)");
        CHECK(text_attribute(root, "finished_at") == "2024-06-01T12:00:00Z");
        CHECK(text_attribute(root, "tradeeco_version") == "0.1.0");
        CHECK(number_attribute(root, "seed") == 42);
        CHECK(text_attribute(root, "_NCProperties").starts_with("version=2,tradeeco=0.1.0,"));
    }
}

TEST_CASE("results_writer leaves gaps of unwritten replicates as NaN", "[results]") {
    scratch_dir dir("gaps");
    const auto target = dir.path / "gaps.nc";
    {
        results_writer w(target, test_layout());
        w.write_replicate(3, make_record(0));
        w.write_replicate(1, make_record(1));
        w.commit();
    }
    h5 file(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    CHECK(read_all<std::int32_t>(file, "replicate", H5T_NATIVE_INT32) ==
          std::vector<std::int32_t>{0, 1, 2, 3});
    // No expected count: 64-replicate chunks, longer than the 4 written, so the dimension stays
    // unlimited (netCDF-C rejects chunks longer than a fixed dimension).
    h5 replicate(H5Dopen2(file, "replicate", H5P_DEFAULT), H5Dclose);
    CHECK(max_dim0(replicate) == H5S_UNLIMITED);
    const auto exports = read_all<double>(file, "exports_cny", H5T_NATIVE_DOUBLE);
    REQUIRE(exports.size() == 8);
    CHECK(std::isnan(exports[0]));
    CHECK(same_bits(exports[2], yearly_value(1, 0)));
    CHECK(std::isnan(exports[4]));
    CHECK(same_bits(exports[6], yearly_value(0, 0)));
}

TEST_CASE("results_writer fixes the replicate dimension only when chunks fit", "[results]") {
    scratch_dir dir("fixed");
    auto layout = test_layout();
    layout.expected_replicates = 5;
    for (const int written: {5, 7, 3}) {
        const auto target = dir.path / ("run" + std::to_string(written) + ".nc");
        {
            results_writer w(target, layout);
            for (int rep = 0; rep < written; ++rep) w.write_replicate(rep, make_record(rep % 3));
            w.commit();
        }
        h5 file(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
        h5 replicate(H5Dopen2(file, "replicate", H5P_DEFAULT), H5Dclose);
        CHECK(shape(replicate) == std::vector<hsize_t>{hsize_t(written)});
        // Chunks hold 5 replicates: fixed with 5 or more written, unlimited with fewer.
        CHECK(max_dim0(replicate) == (written >= 5 ? hsize_t(written) : H5S_UNLIMITED));
    }
}

TEST_CASE("results_writer without commit leaves no file and no temporary", "[results]") {
    scratch_dir dir("uncommitted");
    const auto target = dir.path / "run.nc";
    {
        results_writer w(target, test_layout());
        w.write_replicate(0, make_record(0));
        CHECK(dir.entries().size() == 1); // the temporary, while writing
    }
    CHECK(dir.entries().empty());

    // Same when an exception unwinds the writer mid-run.
    try {
        results_writer w(target, test_layout());
        w.write_replicate(0, make_record(0));
        w.write_replicate(0, make_record(0)); // twice: model_error
        FAIL("expected model_error");
    } catch (const model_error&) {
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("results_writer replaces an existing target only on commit", "[results]") {
    scratch_dir dir("replace");
    const auto target = dir.path / "run.nc";
    write_sample(target);
    const auto size = fs::file_size(target);
    {
        results_writer w(target, test_layout());
        w.write_replicate(0, make_record(0));
    } // abandoned: the old file stays
    CHECK(fs::file_size(target) == size);
    {
        results_writer w(target, test_layout());
        w.write_replicate(0, make_record(0));
        w.commit();
    }
    h5 file(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    CHECK(read_all<std::int32_t>(file, "replicate", H5T_NATIVE_INT32).size() == 1);
}

TEST_CASE("results_writer reports an unusable directory as io_error", "[results]") {
    scratch_dir dir("baddir");
    CHECK_THROWS_AS(results_writer(dir.path / "missing" / "run.nc", test_layout()), io_error);
    try {
        results_writer w(dir.path / "missing" / "run.nc", test_layout());
    } catch (const io_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find((dir.path / "missing").string()) != std::string::npos);
        CHECK(msg.find("does not exist") != std::string::npos);
    }
    // A regular file where the directory should be.
    std::ofstream(dir.path / "plain") << "not a directory";
    CHECK_THROWS_AS(results_writer(dir.path / "plain" / "run.nc", test_layout()), io_error);
    CHECK_THROWS_AS(results_writer(dir.path, test_layout()), io_error); // target is a directory

    // A read-only directory (meaningless as root, who may write anywhere).
    if (::geteuid() != 0) {
        const auto ro = dir.path / "readonly";
        fs::create_directory(ro);
        fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
        try {
            results_writer w(ro / "run.nc", test_layout());
            FAIL("expected io_error");
        } catch (const io_error& e) {
            CHECK(std::string(e.what()).find(ro.string()) != std::string::npos);
        }
        fs::permissions(ro, fs::perms::owner_all);
    }
}

TEST_CASE("results_writer rejects records that do not match the layout", "[results]") {
    scratch_dir dir("mismatch");
    results_writer w(dir.path / "run.nc", test_layout());
    const auto clock = test_clock();

    replicate_record missing(clock.num_months(), clock.num_years());
    missing.declare_series(test_layout().series[0]);
    missing.declare_table(test_layout().tables[0]);
    CHECK_THROWS_AS(w.write_replicate(0, missing), model_error);

    const replicate_record good = make_record(0);
    auto layout = test_layout();
    layout.series[1].name = "imports_cny";
    replicate_record other(clock.num_months(), clock.num_years());
    other.declare_series(layout.series[0]);
    other.declare_series(layout.series[1]);
    other.declare_table(layout.tables[0]);
    CHECK_THROWS_AS(w.write_replicate(0, other), model_error);

    replicate_record short_series(clock.num_months() - 1, clock.num_years());
    short_series.declare_series(test_layout().series[0]);
    short_series.declare_series(test_layout().series[1]);
    short_series.declare_table(test_layout().tables[0]);
    CHECK_THROWS_AS(w.write_replicate(0, short_series), model_error);

    layout = test_layout();
    layout.tables[0].columns[1].type = column_type::i64;
    replicate_record columns(clock.num_months(), clock.num_years());
    columns.declare_series(layout.series[0]);
    columns.declare_series(layout.series[1]);
    columns.declare_table(layout.tables[0]);
    CHECK_THROWS_AS(w.write_replicate(0, columns), model_error);

    replicate_record fractional_day = make_record(0);
    const std::vector<double> bad_row{1.5, 2.0};
    fractional_day.append_row(0, bad_row);
    CHECK_THROWS_AS(w.write_replicate(0, fractional_day), model_error);

    CHECK_THROWS_AS(w.write_replicate(-1, good), model_error);
    CHECK_NOTHROW(w.write_replicate(0, good)); // nothing above wrote a thing
    w.commit();
    CHECK_THROWS_AS(w.write_replicate(1, good), model_error);
}

TEST_CASE("results_writer rejects layouts netCDF cannot hold", "[results]") {
    scratch_dir dir("layout");
    auto clash = test_layout();
    clash.series[1].name = "month";
    CHECK_THROWS_AS(results_writer(dir.path / "a.nc", clash), model_error);
    auto reserved = test_layout();
    reserved.tables[0].columns[0].name = "replicate";
    CHECK_THROWS_AS(results_writer(dir.path / "b.nc", reserved), model_error);
    auto units_twice = test_layout();
    units_twice.series[0].attrs.text.emplace_back("units", "kg"); // the writer sets units
    CHECK_THROWS_AS(results_writer(dir.path / "c.nc", units_twice), model_error);
    auto label_twice = test_layout();
    label_twice.series[0].attrs.text.emplace_back("unit_label", "kg"); // and unit_label
    CHECK_THROWS_AS(results_writer(dir.path / "c2.nc", label_twice), model_error);
    auto underscore = test_layout();
    underscore.series[0].attrs.number.emplace_back("_FillValue", 0); // netCDF's own
    CHECK_THROWS_AS(results_writer(dir.path / "d.nc", underscore), model_error);
    auto slash = test_layout();
    slash.tables[0].name = "trains/daily";
    CHECK_THROWS_AS(results_writer(dir.path / "e.nc", slash), model_error);
    {
        results_writer w(dir.path / "f.nc", test_layout());
        CHECK_THROWS_AS(w.set_root_attribute("_NCProperties", "x"), model_error);
    }
    CHECK(dir.entries().empty());
}

TEST_CASE("results_writer stores long provenance text", "[results]") {
    scratch_dir dir("long");
    const auto target = dir.path / "run.nc";
    auto layout = test_layout();
    // Scenario files may exceed HDF5's 64 KiB compact attribute limit.
    const std::string scenario(200'000, 'x');
    layout.root.text.emplace_back("scenario_text", scenario);
    for (int i = 0; i < 20; ++i) layout.root.number.emplace_back(std::string("p").append(std::to_string(i)), i); // no operator+: GCC 12 false -Wrestrict
    {
        results_writer w(target, layout);
        w.set_root_attribute("empty", "");
        w.commit();
    }
    h5 file(H5Fopen(target.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    h5 root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
    CHECK(text_attribute(root, "scenario_text") == scenario);
    CHECK(text_attribute(root, "empty").empty());
    CHECK(number_attribute(root, "p19") == 19);
    // No replicates: netCDF has no fixed dimension of length 0, so replicate stays unlimited.
    CHECK(read_all<std::int32_t>(file, "replicate", H5T_NATIVE_INT32).empty());
    h5 replicate(H5Dopen2(file, "replicate", H5P_DEFAULT), H5Dclose);
    CHECK(max_dim0(replicate) == H5S_UNLIMITED);
    CHECK(attached(file, "trading_firms", "replicate", 0));
}

TEST_CASE("results_writer seals the file with the CRC-32 and length of its HDF5 part", "[results]") {
    scratch_dir dir("sealed");
    const auto target = dir.path / "run.nc";
    write_sample(target);
    std::ifstream in(target, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    REQUIRE(bytes.size() > 512);
    // The HDF5 part starts after the 512-byte user block; the seal is the block's first line.
    CHECK(bytes.compare(512, 8, "\x89HDF\r\n\x1a\n") == 0);
    const std::string line = bytes.substr(0, bytes.find('\n'));
    std::uint32_t crc = 0xFFFFFFFFu; // bitwise CRC-32 (zlib's), independent of the writer's table
    for (std::size_t i = 512; i < bytes.size(); ++i) {
        crc ^= static_cast<unsigned char>(bytes[i]);
        for (int k = 0; k < 8; ++k) crc = (crc & 1) ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
    }
    char expected[96];
    std::snprintf(expected, sizeof expected, "tradeeco-seal crc32=%08x bytes=%zu", unsigned(~crc),
                  bytes.size() - 512);
    CHECK(line == expected);
    CHECK(bytes.find_first_not_of('\0', line.size() + 1) == 512); // the rest of the block is 0
}
