// Checkpoints: the whole state of a replicate into a sim::state_archive and back, the identity of
// the scenario it belongs to, and the checkpoint file (sim/checkpoint_file.hpp).
//
// Reads and writes every member of trade_model::state that changes during a run (model_state.hpp).
// The members computed from the spec alone (parameters, drivers, the per-sector arrays, the
// lever index, the schedule, the calendar) are rebuilt by the restoring constructor;
// firm_month_partials and forwarder_cargo_blocks are scratch, cleared and filled within each
// firm phase and forwarders' month, and cny_per_teu is set at each month's start (checkpoints
// sit at month boundaries) before anything reads it. A member added to the state must be added
// to visit_state() below: the size check after it fails to compile until it is, and
// tests/cpp/test_checkpoint.cpp restores a run with every lever and shock in force mid-run and
// compares its final hash with an uninterrupted run.

#include "model_state.hpp"

#include <tradeeco/models/run.hpp>
#include <tradeeco/sim/checkpoint_file.hpp>

#include <chrono>
#include <climits>
#include <cstdio>
#include <limits>
#include <sstream>

namespace tradeeco::models {

namespace {

struct saver {
    sim::state_archive& a;
    template <class T>
    void operator()(const std::string& name, const std::vector<T>& v) const {
        a.put(name, v);
    }
    template <class T>
    void operator()(const std::string& name, const T& v) const {
        a.put_value(name, v);
    }
};

struct loader {
    const sim::state_archive& a;
    template <class T>
    void operator()(const std::string& name, std::vector<T>& v) const {
        v = a.get<T>(name);
    }
    template <class T>
    void operator()(const std::string& name, T& v) const {
        a.get_value(name, v);
    }
};

} // namespace

// Every member of the state that a run changes, by name. S is `state` or `const state`.
template <class S, class F>
void visit_state(S& s, F&& f) {
    f("day", s.day);
    f("n_firms", s.n_firms);
    f("fw_serial", s.fw_serial);
    f("bills_this_year", s.bills_this_year);
    f("status", s.status);
    f("tenure", s.tenure);
    f("months_since_exit", s.months_since_exit);
    f("demand_draw", s.demand_draw);
    f("calibration", s.cal);
    f("import_mix", s.import_mix);
    f("peers", s.peers);
    f("cost_index", s.cost_index);
    f("fx_factor", s.fx_factor);
    f("route_share", s.route_share);
    f("clearance_days_general", s.clearance_days_general);
    f("clearance_days_aeo", s.clearance_days_aeo);
    f("clearance_days_by_location", s.clearance_days_by_location);
    f("month_abs", s.month_abs);
    f("burning_in", s.burning_in);
    f("backlog_teu", s.backlog_teu);
    f("backlog_at_year_start", s.backlog_at_year_start);
    f("lcl_share", s.lcl_share);
    f("lcl_fill", s.lcl_fill);
    f("lcl_wait_days", s.lcl_wait_days);
    f("contract_share", s.contract_share);
    f("contract_teu_month", s.contract_teu_month);
    f("contract_backlog", s.contract_backlog);
    f("leg_rate", s.leg_rate);
    f("leg_days", s.leg_days);
    f("bookings", s.bookings);
    f("departures_week", s.departures_week);
    f("transit_teu_month", s.transit_teu_month);
    f("corridor_year", s.corridor_year);
    f("cr_trains_at_month_start", s.cr_trains_at_month_start);
    f("departures_table", s.departures_table);
    f("snapshots_table", s.snapshots_table);
    f("flows_table", s.flows_table);
    f("flow_value", s.flow_value);
    f("flow_teu", s.flow_teu);
    f("month", s.month);
    f("year", s.year);
    f("traded_this_year", s.traded_this_year);
    f("exported_this_year", s.exported_this_year);
    f("one_bill_cum", s.one_bill_cum);
    f("platform_members_trading", s.platform_members_trading);
    f("forwarder_entry_carry", s.forwarder_entry_carry);
    f("freight_per_teu_month", s.freight_per_teu_month);
    f("cbec_prev_year", s.cbec_prev_year);
    f("trade_prev_year", s.trade_prev_year);
}

// The column pointers are rebound by name in bind_columns(): one pointer per line there.
static_assert(sizeof(firm_columns) == sizeof(void*) * 25,
              "bind the new firm column in bind_columns()");
static_assert(sizeof(forwarder_columns) == sizeof(void*) * 6,
              "bind the new forwarder column in bind_columns()");

namespace {

// Points the column handles at the restored tables (names as population.cpp creates them).
void bind_columns(sim::agent_table& firms, sim::agent_table& forwarders, firm_columns& firm,
                  forwarder_columns& fwd) {
    auto u8 = [&](const char* n) { return &firms.column<std::uint8_t>(n); };
    auto i32 = [&](const char* n) { return &firms.column<std::int32_t>(n); };
    auto f64 = [&](const char* n) { return &firms.column<double>(n); };
    firm.sector = u8("sector");
    firm.location = u8("location");
    firm.ownership = u8("ownership");
    firm.leader = u8("chain_leader");
    firm.sme = u8("sme");
    firm.specialised = u8("specialised_sme");
    firm.platform = u8("platform_member");
    firm.aeo = u8("credit_tier");
    firm.cbec = u8("cbec_channel");
    firm.importer = u8("ordinary_importer");
    firm.indirect = u8("indirect_exporter");
    firm.supplier_of = i32("supplier_of");
    firm.capability = f64("capability");
    firm.exports_month = f64("exports_month_cny_100m");
    firm.imports_month = f64("imports_month_cny_100m");
    firm.trade_year = f64("trade_year_cny_100m");
    firm.destinations = i32("destinations");
    firm.forwarder = &firms.column<std::int64_t>("forwarder_id");
    firm.lcl_teu_month = f64("lcl_teu_month");
    firm.exports_year = f64("exports_year_cny_100m");
    firm.imports_year = f64("imports_year_cny_100m");
    firm.indirect_exports_year = f64("indirect_exports_year_cny_100m");
    firm.destinations_mask = i32("destinations_mask_year");
    firm.entered_mask = i32("entered_mask_year");
    firm.exited_mask = i32("exited_mask_year");
    fwd.scale = &forwarders.column<double>("scale");
    fwd.margin = &forwarders.column<double>("margin_share");
    fwd.one_bill = &forwarders.column<std::uint8_t>("one_bill");
    fwd.a_level = &forwarders.column<std::uint8_t>("a_level");
    fwd.volume = &forwarders.column<double>("volume_teu_year");
    fwd.clients = &forwarders.column<std::int32_t>("clients");
}

void put_targeting(std::ostringstream& o, const targeting& t) {
    o << " sectors";
    for (auto v: t.sectors) o << ' ' << int(v);
    o << " regions";
    for (auto v: t.regions) o << ' ' << int(v);
    o << " locations";
    for (auto v: t.locations) o << ' ' << int(v);
    o << " routes";
    for (auto v: t.routes) o << ' ' << int(v);
    o << " sme_only " << t.sme_only;
}

std::int32_t day_number(sim::date d) {
    return std::int32_t(std::chrono::sys_days{d}.time_since_epoch().count());
}

// The spec's fields that shape results, as canonical text: the horizon, seed, population,
// parameters and outputs (`layout`), and with `policies` also every instrument and shock.
// Names, descriptions and the replicate count do not change a replicate's numbers.
std::string spec_key(const model_spec& spec, bool policies) {
    std::ostringstream o;
    o.precision(std::numeric_limits<double>::max_digits10);
    o << "start " << sim::to_string(spec.start) << "\nend " << sim::to_string(spec.end) << "\nseed "
      << spec.seed << "\npopulation_scale " << spec.population_scale << "\noutputs "
      << spec.outputs.firm_snapshots << ' ' << spec.outputs.train_departures << ' '
      << spec.outputs.shipment_flows << '\n';
    for (const auto& [k, v]: spec.parameters) o << "parameter " << k << ' ' << v << '\n';
    o << "base_year " << spec.base_year << '\n';
    // The posterior decides each replicate's parameters and driver path.
    const auto& ps = spec.posterior;
    o << "posterior " << ps.size() << ' ' << ps.replicates_per_set << ' '
      << ps.replicates_per_driver_path << '\n';
    for (const auto& k: ps.keys) o << "posterior_key " << k << '\n';
    for (const auto v: ps.values) o << v << ' ';
    for (const auto w: ps.weights) o << w << ' ';
    o << '\n';
    if (!policies) return o.str();
    for (const auto& i: spec.instruments) {
        o << "instrument " << int(i.what) << ' ' << sim::to_string(i.start) << ' ' << i.ramp_months
          << ' ' << i.strength << ' ' << i.fiscal_cost_cny_per_year;
        put_targeting(o, i.target);
        o << '\n';
    }
    for (const auto& sh: spec.shocks) {
        o << "shock " << int(sh.what) << ' ' << sim::to_string(sh.start) << ' '
          << sim::to_string(sh.end) << ' ' << sh.magnitude;
        put_targeting(o, sh.target);
        o << '\n';
    }
    return o.str();
}

// "2025-01": the first month not yet simulated; "end" once the run is over.
std::string month_label(const sim::calendar& clock, std::int32_t day) {
    if (day >= clock.num_days()) return "end";
    const auto iso = sim::to_string(clock.day(day).today); // "2025-01-01"
    return iso.substr(0, iso.rfind('-'));
}

std::string describe(const model_spec& spec) {
    std::ostringstream o;
    o.precision(std::numeric_limits<double>::max_digits10);
    o << "scenario '" << spec.name << "' (seed " << spec.seed << ", population_scale "
      << spec.population_scale << ", " << sim::to_string(spec.start) << " to "
      << sim::to_string(spec.end) << ", " << spec.parameters.size() << " parameter overrides)";
    return o.str();
}

} // namespace

std::int32_t first_policy_day(const model_spec& spec) noexcept {
    std::int32_t first = INT32_MAX;
    for (const auto& i: spec.instruments) first = std::min(first, day_number(i.start));
    for (const auto& sh: spec.shocks) first = std::min(first, day_number(sh.start));
    return first;
}

std::string layout_key(const model_spec& spec) { return spec_key(spec, false); }

std::int32_t check_restorable(const model_spec& spec, const sim::state_archive& saved) {
    const auto saved_full = saved.get_text("identity.scenario_key");
    const auto saved_layout = saved.get_text("identity.layout_key");
    const auto replicate = saved.get_value<std::int32_t>("identity.replicate");
    if (spec_key(spec, true) == saved_full) return replicate;
    const std::string saved_what = saved.get_text("identity.scenario_description");
    if (spec_key(spec, false) != saved_layout)
        throw sim::checkpoint_error(
            "the saved state: scenario layout: expected a scenario with the parameters, seed, "
            "population, horizon and outputs of " +
            saved_what + ", found " + describe(spec));
    // Another set of policies on the same layout: a branch. Every phase run so far saw dates up to
    // the first day not simulated yet (the year end signs the next day's contracts), so both the
    // saved run's policies and the branch's must start after it.
    const auto day = saved.get_value<std::int32_t>("day");
    const auto next = day_number(spec.start) + day;
    const auto first = std::min(saved.get_value<std::int32_t>("identity.first_policy_day"),
                                first_policy_day(spec));
    if (first <= next) {
        const auto as_date = [](std::int32_t n) {
            return sim::to_string(sim::date{std::chrono::sys_days{std::chrono::days{n}}});
        };
        throw sim::checkpoint_error(
            "the saved state: branch: expected the scenario of " + saved_what +
            ", or policies and shocks (the saved scenario's and the new one's) that all "
            "start after " +
            as_date(next) + ", found " + describe(spec) +
            " with other policies, and one in force from " + as_date(first));
    }
    return replicate;
}

void trade_model::state::save(sim::state_archive& a) const {
    visit_state(*this, saver{a});
    firms.save(a, "firms");
    forwarders.save(a, "forwarders");
    services.save(a, "services");
    forwarder_bookings.save(a, "forwarder_bookings");
    spending.save(a);
    rec.save(a, "record");
    a.put_text("identity.scenario_key", spec_key(spec, true));
    a.put_text("identity.layout_key", spec_key(spec, false));
    a.put_text("identity.scenario_description", describe(spec));
    a.put_value("identity.replicate", replicate);
    a.put_value("identity.first_policy_day", first_policy_day(spec));
}

void trade_model::state::load(const sim::state_archive& a) {
    visit_state(*this, loader{a});
    firms.load(a, "firms");
    forwarders.load(a, "forwarders");
    services.load(a, "services");
    bind_columns(firms, forwarders, firm, fwd);
    forwarder_bookings.load(a, "forwarder_bookings");
    spending.load(a);
    rec.load(a, "record");
}

bool trade_model::at_month_boundary() const noexcept {
    return s_->day == 0 || s_->day >= s_->clock.num_days() || s_->clock.day(s_->day).month_start;
}

sim::state_archive trade_model::save_state() const {
    // A new member of the state changes its size: add it to visit_state() (or, if the
    // constructor rebuilds it from the spec, to the list in the comment at the top of this
    // file), then update the size. Checked only where it was measured (x86-64, libstdc++).
#if defined(__x86_64__) && defined(__GLIBCXX__) && !defined(_GLIBCXX_DEBUG)
    static_assert(sizeof(state) == 61120, "trade_model::state has changed: save and load the new "
                                          "member in models/src/checkpoint.cpp");
#endif
    if (!at_month_boundary())
        throw sim::model_error("checkpoint: the model is mid-month (" +
                               sim::to_string(s_->clock.day(s_->day).today) +
                               "): advance to the first day of a month before saving its state");
    sim::state_archive a;
    s_->save(a);
    return a;
}

void trade_model::checkpoint(const std::filesystem::path& file) const {
    const auto saved = save_state();
    const auto& spec = s_->spec;
    sim::attributes meta;
    meta.text = {{"title", "tradeeco checkpoint: " + spec.name},
                 {"scenario_name", spec.name},
                 {"scenario_text", spec.resolved_text},
                 {"scenario_sha256", sim::sha256_hex(spec.resolved_text)},
                 {"layout_sha256", sim::sha256_hex(spec_key(spec, false))},
                 {"seed_text", std::to_string(spec.seed)},
                 {"month", month_label(s_->clock, s_->day)},
                 {"tradeeco_version", version()},
                 {"git_revision", git_revision()}};
    meta.number = {{"replicate", double(s_->replicate)},
                   {"population_scale", spec.population_scale},
                   {"days_done", double(s_->day)}};
    sim::write_checkpoint(file, saved, meta);
}

std::unique_ptr<trade_model>
trade_model::restore(const model_spec& spec, const std::filesystem::path& file, sim::executor& ex) {
    sim::attributes meta;
    const auto saved = sim::read_checkpoint(file, &meta);
    // Another build may simulate differently: restarting from its state would not continue its run.
    const auto& made_by = sim::text_attribute(meta, "git_revision", file);
    const auto& made_version = sim::text_attribute(meta, "tradeeco_version", file);
    if (made_by != git_revision() || made_version != version())
        throw sim::checkpoint_error(file.string() + ": made by another tradeeco build: expected " +
                                    version() + " (" + git_revision() + "), found " + made_version +
                                    " (" + made_by + "); rerun from the start");
    try {
        return std::make_unique<trade_model>(spec, saved, ex);
    } catch (const sim::checkpoint_error& e) {
        throw sim::checkpoint_error(file.string() + ": " + e.what());
    } catch (const sim::model_error& e) {
        throw sim::checkpoint_error(file.string() + ": state of another layout: " + e.what());
    }
}

checkpoint_info read_checkpoint_info(const std::filesystem::path& file) {
    const auto a = sim::read_checkpoint_attributes(file);
    checkpoint_info out;
    out.scenario_name = sim::text_attribute(a, "scenario_name", file);
    out.scenario_text = sim::text_attribute(a, "scenario_text", file);
    out.seed = std::stoull(sim::text_attribute(a, "seed_text", file));
    out.replicate = std::int32_t(sim::number_attribute(a, "replicate", file));
    out.population_scale = sim::number_attribute(a, "population_scale", file);
    out.month = sim::text_attribute(a, "month", file);
    out.days_done = std::int32_t(sim::number_attribute(a, "days_done", file));
    out.tradeeco_version = sim::text_attribute(a, "tradeeco_version", file);
    out.git_revision = sim::text_attribute(a, "git_revision", file);
    out.created_at = sim::text_attribute(a, "created_at", file);
    out.format_version = std::int32_t(sim::number_attribute(a, "format_version", file));
    return out;
}

} // namespace tradeeco::models
