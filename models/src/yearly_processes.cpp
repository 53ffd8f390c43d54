// Yearly firm processes: AEO certification, platform enrolment, chain-leader supplier pairing,
// specialised-SME certification, graduation from indirect exporting, e-commerce adoption.
// Reads: the firms' trade this year (trade_year, exported_this_year, traded_this_year), levers
//   aeo_cultivation, platform_outreach, chain_leader_pairing, cbec_support.
// Writes: the firm columns credit_tier, platform_member, supplier_of, specialised_sme,
//   indirect_exporter, cbec_channel; platform_members_trading and cal.certification_rate.

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <array>
#include <cmath>

namespace tradeeco::models {

using namespace model_impl;

// AEO: eligible firms (top decile of this year's trade, general credit) apply; most
// pass the audit; a few certificates lapse (2%/yr, ASSUMPTION).
void trade_model::state::aeo_year(sim::date today, std::uint32_t ystep) {
    const std::vector<double>& trade = *firm.trade_year;
    std::vector<double> sorted; // top decile of the firms that traded this year
    for (double v: trade)
        if (v > 0) sorted.push_back(v);
    const double top = params.aeo_eligible_top_share, lapse = params.aeo_lapse_rate;
    // The cutoff is one order statistic: selected, the value a full sort puts at that rank.
    double cutoff = 1e300;
    if (!sorted.empty()) {
        const auto rank = std::ptrdiff_t((1.0 - top) * double(sorted.size() - 1));
        std::nth_element(sorted.begin(), sorted.begin() + rank, sorted.end());
        cutoff = sorted[std::size_t(rank)];
    }
    // The application probability by sector x location, once a year instead of per applying firm.
    const auto cultivation = lever_by_sector_location(lever::aeo_cultivation, today);
    for (std::size_t i = 0; i < n_firms; ++i) {
        auto& tier = (*firm.aeo)[i];
        // Each firm has its own stream: one that neither applies nor may lapse draws nothing.
        const bool applying = tier == 0 && trade[i] > 0 && trade[i] >= cutoff;
        if (!applying && tier != 1) continue;
        auto r = rng(firms.ids()[i], ystep, p_aeo);
        const double u = r.uniform();
        if (applying) {
            const double u2 = r.uniform();
            const double p = params.aeo_apply_rate + cultivation[(*firm.sector)[i]][(*firm.location)[i]];
            if (u < p && u2 < params.aeo_success) tier = 1;
        } else if (u < lapse && (*firm.leader)[i] == 0)
            tier = 0;
    }
}

// Platforms enrol trading firms.
void trade_model::state::platforms_year(sim::date today, std::uint32_t ystep) {
    // Coverage over the year, measured before the year-end enrolment round takes effect.
    platform_members_trading = 0;
    for (std::size_t i = 0; i < n_firms; ++i) platform_members_trading += traded_this_year[i] && (*firm.platform)[i];
    // The enrolment probability by sector x location x SME, once a year (the same call as per
    // firm, so the same bits).
    std::array<std::array<std::array<double, 2>, num_locations>, S> enrol_p{};
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t l = 0; l < num_locations; ++l)
            for (const bool sme: {false, true})
                enrol_p[s][l][sme] =
                    params.platform_enrol_rate +
                    lever_strength(lever::platform_outreach, today, [&](const targeting& t) {
                        return applies(t.sectors, sector(s)) &&
                               applies_to(t.locations, location(l)) && (!t.sme_only || sme);
                    });
    for (std::size_t i = 0; i < n_firms; ++i) {
        if ((*firm.platform)[i] || !traded_this_year[i]) continue;
        const double p = enrol_p[(*firm.sector)[i]][(*firm.location)[i]][(*firm.sme)[i] != 0];
        auto r = rng(firms.ids()[i], ystep, p_platform);
        if (r.bernoulli(std::min(1.0, p))) (*firm.platform)[i] = 1;
    }
}

// Chain leaders pair with local suppliers (manufacturing firms without a link).
void trade_model::state::pairing_year(sim::date today, std::uint32_t ystep) {
    std::size_t candidates = 0;
    for (std::size_t i = leaders.size(); i < n_firms; ++i) candidates += (*firm.supplier_of)[i] < 0;
    std::array<double, num_leaders> p{};
    for (std::size_t k = 0; k < leaders.size(); ++k) {
        const sector sx = leaders[k].s;
        const double links = params.baseline_pairing +
                             lever_strength(lever::chain_leader_pairing, today,
                                            [&](const targeting& t) { return applies(t.sectors, sx); });
        p[k] = std::min(1.0, links / std::max<double>(1.0, double(candidates) / double(leaders.size())));
    }
    // Each leader's pairing probability as the draw compares it (the same expression as per
    // firm and leader before, so the same bits).
    std::array<double, num_leaders> q{};
    for (std::size_t k = 0; k < leaders.size(); ++k)
        q[k] = p[k] * double(leaders.size()) / double(leaders.size());
    // Leader by leader for each firm (a firm paired to one leader is not a candidate of the
    // next: it stops); each firm on its own streams, so the firms go in parallel.
    std::int32_t* const supplier_of = firm.supplier_of->data();
    const std::uint8_t* const sector_of = firm.sector->data();
    const auto* const ids = firms.ids().data();
    ex.for_each(n_firms - leaders.size(), [&](std::size_t j) {
        const std::size_t i = leaders.size() + j;
        if (supplier_of[i] >= 0) return;
        const auto si = sector(sector_of[i]);
        const bool fits_any = si == sector::electronic_components ||
                              si == sector::chemicals_materials || si == sector::motorcycles_machinery;
        for (std::size_t k = 0; k < leaders.size(); ++k) {
            if (!fits_any && si != leaders[k].s) continue;
            auto r = rng(ids[i] * 16 + k, ystep, p_pairing);
            if (r.bernoulli(q[k])) {
                supplier_of[i] = std::int32_t(k);
                return;
            }
        }
    });
}

// Specialised-and-sophisticated certification among the manufacturing SME exporters above
// the SMEs' median capability (the plan counts on +100 by 2027). Exporting is the gate, so
// programmes that make more SMEs export raise certifications.
void trade_model::state::certification_year(std::uint32_t ystep) {
    std::vector<double> caps;
    for (std::size_t i = leaders.size(); i < n_firms; ++i)
        if ((*firm.sme)[i]) caps.push_back((*firm.capability)[i]);
    if (!caps.empty()) {
        std::nth_element(caps.begin(), caps.begin() + std::ptrdiff_t(caps.size() / 2), caps.end());
        const double median = caps[caps.size() / 2];
        auto eligible = [&](std::size_t i) {
            return (*firm.sme)[i] && !(*firm.specialised)[i] && exported_this_year[i] &&
                   (*firm.sector)[i] != std::uint8_t(sector::agri_food) && (*firm.capability)[i] >= median;
        };
        // The rate is set in the first year so that specialised_certified_per_year firms are
        // certified at 2024 eligibility; it is then held, so more eligible exporters mean
        // more certifications.
        if (cal.certification_rate < 0 && !burning_in) {
            double n = 0;
            for (std::size_t i = leaders.size(); i < n_firms; ++i) n += eligible(i);
            cal.certification_rate =
                std::min(1.0, params.specialised_certified_per_year * spec.population_scale / std::max(1.0, n));
        }
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            if (cal.certification_rate <= 0 || !eligible(i)) continue;
            auto r = rng(firms.ids()[i], ystep, p_specialised);
            if (r.bernoulli(cal.certification_rate)) (*firm.specialised)[i] = 1;
        }
    }
}

// Graduation from indirect to direct exporting (Ahn, Khandelwal & Wei: firms later switch
// to exporting themselves): an indirect exporter that sold more this year than the median
// direct exporter switches with probability 0.3 a year (ASSUMPTION).
void trade_model::state::graduation_year(std::uint32_t ystep) {
    const double graduation = params.indirect_graduation_rate;
    std::vector<double> direct;
    for (std::size_t i = leaders.size(); i < n_firms; ++i)
        if (!(*firm.indirect)[i] && (*firm.exports_year)[i] > 0) direct.push_back((*firm.exports_year)[i]);
    if (!direct.empty()) {
        std::nth_element(direct.begin(), direct.begin() + std::ptrdiff_t(direct.size() / 2), direct.end());
        const double median = direct[direct.size() / 2];
        for (std::size_t i = leaders.size(); i < n_firms; ++i) {
            if (!(*firm.indirect)[i] || (*firm.exports_year)[i] <= median) continue;
            auto r = rng(firms.ids()[i], ystep, p_indirect);
            if (r.bernoulli(graduation)) (*firm.indirect)[i] = 0;
        }
    }
}

// Cross-border e-commerce channel adoption (consumer goods, agri-food, machinery parts):
// 3%/yr baseline (ASSUMPTION) plus a tenth of the lever's cost cut.
void trade_model::state::cbec_year(sim::date today, std::uint32_t ystep) {
    const double adoption = params.cbec_adoption_rate, support_effect = params.cbec_support_adoption_effect;
    // The lever by sector x location, once a year instead of per firm.
    const auto support = lever_by_sector_location(lever::cbec_support, today);
    for (std::size_t i = leaders.size(); i < n_firms; ++i) {
        const sector sx = sector((*firm.sector)[i]);
        if ((*firm.cbec)[i] || !(*firm.sme)[i] ||
            !(sx == sector::consumer_goods_hardware || sx == sector::agri_food || sx == sector::motorcycles_machinery))
            continue;
        const double p = adoption + support_effect * support[(*firm.sector)[i]][(*firm.location)[i]];
        auto r = rng(firms.ids()[i], ystep, p_cbec);
        if (r.bernoulli(p)) (*firm.cbec)[i] = 1;
    }
}


} // namespace tradeeco::models
