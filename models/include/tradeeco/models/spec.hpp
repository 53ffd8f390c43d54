#pragma once
/// The immutable description of a run: horizon, seed, replicates, parameter overrides, policy
/// instruments and shocks, outputs. The scenarios layer builds it from text and validates it;
/// the model only reads it.

#include <tradeeco/models/levers.hpp>
#include <tradeeco/models/taxonomy.hpp>
#include <tradeeco/sim/calendar.hpp>
#include <tradeeco/sim/errors.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tradeeco::models {

/// Whom an instrument or shock applies to. Empty lists mean "all".
struct targeting {
    std::vector<sector> sectors;
    std::vector<region> regions;
    std::vector<location> locations;
    std::vector<route> routes;
    bool sme_only = false;
};

struct instrument {
    std::string label;       ///< free text from the scenario ("break the zero drive")
    int measure = 0;         ///< plan measure number, 1..27
    lever what{};
    sim::date start{};       ///< first day in force
    std::int32_t ramp_months = 0; ///< linear ramp from 0 to full strength
    double strength = 0.0;   ///< in the lever's unit
    targeting target;
    double fiscal_cost_cny_per_year = 0.0;
    sim::source_location where; ///< where it was defined, for messages
};

struct shock {
    std::string label;
    shock_kind what{};
    sim::date start{};
    sim::date end{};         ///< last day in force
    double magnitude = 0.0;  ///< in the shock's unit
    targeting target;
    sim::source_location where;
};

struct output_options {
    bool firm_snapshots = false;   ///< yearly per-firm columns
    bool train_departures = false; ///< one row per departure
    bool shipment_flows = false;   ///< yearly flows by origin location, route and destination
};

/// A posterior (or any weighted sample) of parameter sets: replicate r of a run draws set
/// draw_parameter_set(weights, seed, r) (parameters.hpp), and that set's values override the
/// parameter table for that replicate only. Explicit overrides (`parameters` below: the
/// scenario's [parameters], --set) win over the set's values for the same key. Empty: every
/// replicate runs with the same (fixed) parameters, as before posteriors existed.
struct parameter_sets {
    std::vector<std::string> keys; ///< parameter-table keys, one column each
    std::vector<double> values;    ///< row-major: values[set * keys.size() + column]
    std::vector<double> weights;   ///< one per set, >= 0, summing to 1
    /// Where the sets came from ("key: value" lines of the file's header), for result files.
    std::vector<std::pair<std::string, std::string>> provenance;
    /// Replicates [k M, (k + 1) M) share the set drawn for block k (a nested design: the spread
    /// within a block is the drivers' and the noise's, between blocks the parameters'). 1: each
    /// replicate draws its own.
    std::int32_t replicates_per_set = 1;
    /// Replicates [k D, (k + 1) D) share one driver path (the draw of replicate k's key): with
    /// D < M the spread within a driver block is the noise's alone, so parameters, drivers and
    /// noise can be told apart. D divides M. 1: each replicate draws its own path.
    std::int32_t replicates_per_driver_path = 1;
    bool empty() const noexcept { return weights.empty(); }
    std::size_t size() const noexcept { return weights.size(); }
};

struct model_spec {
    std::string name = "unnamed";
    std::string description;
    std::string resolved_text;   ///< the scenario after `extends` is applied, for provenance
    sim::date start = sim::make_date(2024, 1, 1);
    sim::date end = sim::make_date(2027, 12, 31);
    std::uint64_t seed = 20240101;
    std::int32_t replicates = 1;
    double population_scale = 1.0; ///< multiplies agent counts (scale studies)
    /// The year whose figures the start state is calibrated to (models/base_year.hpp); 0: the
    /// start year (the forecast's 2024). A hindcast starting in 2019 sets 2018.
    std::int32_t base_year = 0;
    std::map<std::string, double> parameters; ///< overrides of the parameter table, by key
    parameter_sets posterior; ///< drawn per replicate when not empty (see parameter_sets)
    std::vector<instrument> instruments;
    std::vector<shock> shocks;
    output_options outputs;
};

} // namespace tradeeco::models
