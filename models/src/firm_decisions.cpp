// The firm phase of a month: market entry, trial year and exit by firm x region (sunk and fixed
// costs, experience, linked markets, peers, platforms, finance), chain leaders' exports and KD
// kits, processing and ordinary imports, RMB settlement, e-commerce sales.
// Reads: cost_index and import_mix (trade_costs.cpp), clearance days, the calibrated demand
//   shifters and entry scale, levers entry_cost_subsidy, market_intelligence,
//   export_credit_insurance, rmb_settlement_promotion, kd_kit_hub.
// Writes: the firm x region rows (status, tenure, months_since_exit), the firms' monthly and
//   yearly columns, and the month's aggregate `month` (month_totals) that routing, forwarders
//   and the indicators read.

#include "model_state.hpp"

#include <tradeeco/sim/executor.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace tradeeco::models {

using namespace model_impl;

// -------------------------------------------------------------------------------------------
// The firm phase: every firm, every region; parallel over firms, each writing only its rows.
void trade_model::state::firm_month(sim::date today, std::int32_t /*month_index*/) {
    const double sigma_ces = params.trade_elasticity + 1.0; // markup sigma/(sigma-1)
    // Foreign demand by sector x region from the drivers (1 = the start year's level).
    const auto growth = burning_in ? driver_paths::flat() : drivers.demand(today);
    const double import_growth = burning_in ? 1.0 : drivers.china(today);
    const double trial = params.trial_scale, fixed_share = params.fixed_cost_share;
    const double entry_noise = params.entry_noise;
    const double sunk_months = params.sunk_cost_months, exit_h = params.exit_hazard;
    const double exp_boost = params.experience_boost, nb_boost = params.neighbour_boost;
    const double peer_max = params.peer_spillover, plat_cut = params.platform_cost_cut;
    const double entry_h = params.entry_hazard * cal.entry_scale;
    const std::uint64_t consider_cut = random_stream::uniform_cut(entry_h);
    // For k pairs without a relationship: the cut for "any of them is considered" and for "the
    // first of them is, given that one is" (firm loop below).
    std::array<std::uint64_t, R + 1> any_considered_cut{}, first_considered_cut{};
    constexpr std::size_t any_group = 4; // firms sharing a Philox block (4 words) for that draw
    // (A hazard above 1 considers every pair, as uniform() < entry_h always holds: min(1, h).)
    for (std::size_t k = 1; k <= R; ++k) {
        const double any = 1.0 - std::pow(1.0 - std::min(1.0, entry_h), double(k));
        any_considered_cut[k] = random_stream::uniform_cut(any);
        // (the last pair left is certain: no rounding of entry_h / any may make it less)
        first_considered_cut[k] = random_stream::uniform_cut(k == 1 || any <= 0 ? 1.0 : std::min(1.0, entry_h) / any);
    }
    const double proc_ratio = params.processing_import_ratio;
    const double rmb_base = params.rmb_goods_share;
    const double vot_scale = params.value_of_time / 0.012;
    const double ds = params.demand_draw_sigma;
    const auto trial_months = std::uint16_t(std::lround(params.trial_months));
    const std::uint32_t step = std::uint32_t(month_abs);
    // A firm's monthly flow to a region ships as shipments_per_month shipments; below this many
    // TEU a month each is smaller than lcl_shipment_teu and goes LCL through a forwarder.
    const double lcl_cut = params.lcl_shipment_teu * params.shipments_per_month;
    const double kd_value = params.kd_kit_value_share, finance_premium = params.sme_finance_premium;
    const double subsidy_cap = params.entry_subsidy_cap, horizon_max = params.entry_horizon_max_months;
    const double peer_half = params.peer_half_saturation, exit_cover = params.exit_fixed_cost_cover;
    const double ordinary_inputs = params.ordinary_import_input_share, cbec_share = params.cbec_export_share;
    const double direct_multiple = params.direct_export_profit_multiple;
    const std::uint64_t one_off_cut = random_stream::uniform_cut(params.one_off_order_rate);

    // Policy levels this month, by sector x region (and flags for SME / location targeting are
    // applied per firm below through a small lookup).
    struct lever_levels {
        std::array<std::array<double, R>, S> subsidy_all{}, subsidy_sme{}, intel{}, insurance_all{},
            insurance_sme{}, rmb{};
    } lv;
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d) {
            const sector sx = sector(s);
            const region rg = region(d);
            auto all = [&](const targeting& t) {
                return !t.sme_only && applies(t.sectors, sx) && applies_to(t.regions, rg) && t.locations.empty();
            };
            auto sme = [&](const targeting& t) {
                return t.sme_only && applies(t.sectors, sx) && applies_to(t.regions, rg) && t.locations.empty();
            };
            lv.subsidy_all[s][d] = lever_strength(lever::entry_cost_subsidy, today, all);
            lv.subsidy_sme[s][d] = lever_strength(lever::entry_cost_subsidy, today, sme);
            lv.intel[s][d] = std::min(1.0, lever_strength(lever::market_intelligence, today, all));
            lv.insurance_all[s][d] = lever_strength(lever::export_credit_insurance, today, all);
            lv.insurance_sme[s][d] = lever_strength(lever::export_credit_insurance, today, sme);
            lv.rmb[s][d] = lever_strength(lever::rmb_settlement_promotion, today,
                                          [&](const targeting& t) { return applies(t.sectors, sx) && applies_to(t.regions, rg); });
        }
    const double kd_extra = lever_strength(lever::kd_kit_hub, today, [](const targeting& t) {
        return applies(t.sectors, sector::autos_parts);
    });
    // The settled-in-RMB share of a flow by sector x region (the same min as per flow before).
    std::array<std::array<double, R>, S> rmb_share_of{};
    for (std::size_t s = 0; s < S; ++s)
        for (std::size_t d = 0; d < R; ++d) rmb_share_of[s][d] = std::min(1.0, rmb_base + lv.rmb[s][d]);
    // Location-targeted entry subsidies (e.g. a bonded-zone programme).
    std::array<double, num_locations> subsidy_loc{};
    for (std::size_t l = 0; l < num_locations; ++l)
        subsidy_loc[l] = lever_strength(lever::entry_cost_subsidy, today, [&](const targeting& t) {
            return !t.locations.empty() && applies_to(t.locations, location(l));
        });

    // Per-firm factors that depend only on a few categories, computed once a month (the same
    // calls with the same arguments as per firm, so the same bits; pow was ~10% of the month).
    // Customs: AEO firms face fewer inspections, so a lower time cost (and, through it, a higher
    // effective demand: Carballo et al.; Djankov et al. ~1% per day). By sector, location and
    // credit tier.
    constexpr std::size_t tiers = std::tuple_size_v<decltype(clearance_days_by_location)::value_type>;
    std::array<std::array<std::array<double, tiers>, num_locations>, S> customs_factor_of{};
    for (std::size_t s = 0; s < S; ++s) {
        const double vot = detail::value_of_time_by_sector[s] * vot_scale;
        for (std::size_t l = 0; l < num_locations; ++l)
            for (std::size_t tier = 0; tier < tiers; ++tier) {
                const double clear_gap = vot * (clearance_days_by_location[l][tier] - clearance_days_general);
                customs_factor_of[s][l][tier] = std::pow(1.0 + clear_gap, -params.trade_elasticity);
            }
    }
    // Sunk-cost factor of `linked` established linked destinations.
    std::array<double, R + 1> linked_factor{};
    for (std::size_t n = 0; n <= R; ++n) linked_factor[n] = std::pow(1.0 - nb_boost, std::int32_t(n));
    std::array<bool, num_locations> bonded{};
    for (std::size_t l = 0; l < num_locations; ++l) bonded[l] = location_flags(location(l)).bonded_zone;

    // TEU per 100m CNY by sector (a division per firm and month before).
    std::array<double, S> teu_per_100m_of{};
    for (std::size_t s = 0; s < S; ++s) teu_per_100m_of[s] = 1e8 / cny_per_teu[s];

    // Leaders: sales scale from shares; they export to every region.
    const double months_per_year = 12.0;
    const std::size_t nb = sim::executor::num_blocks(n_firms, 1024);
    // The blocks' partial sums live in a scratch vector kept across months: a fresh one was
    // ~20 MB at national scale, mapped and page-faulted every month. Each block clears its own.
    auto& partial = firm_month_partials;
    partial.resize(nb);
    ex.for_each_block(n_firms, 1024, [&](std::size_t begin, std::size_t end) {
        // The columns, pair rows and scalars of the month as the block's own locals: through
        // firm.* (pointers to vectors), the members and the captured references, every byte or
        // double store (a status, a block sum) made the compiler reload them on each use.
        const std::uint8_t* const sector_of = firm.sector->data();
        const std::uint8_t* const location_of = firm.location->data();
        const std::uint8_t* const sme_of = firm.sme->data();
        const std::uint8_t* const aeo_of = firm.aeo->data();
        const std::uint8_t* const platform_of = firm.platform->data();
        const std::uint8_t* const leader_of = firm.leader->data();
        const std::uint8_t* const indirect_of = firm.indirect->data();
        const std::uint8_t* const importer_of = firm.importer->data();
        const std::uint8_t* const cbec_of = firm.cbec->data();
        const std::int32_t* const supplier_of = firm.supplier_of->data();
        const double* const cap = firm.capability->data();
        const sim::agent_id* const ids = firms.ids().data();
        double* const exports_month = firm.exports_month->data();
        double* const imports_month = firm.imports_month->data();
        double* const lcl_teu_month = firm.lcl_teu_month->data();
        std::int32_t* const destinations = firm.destinations->data();
        double* const exports_year = firm.exports_year->data();
        double* const indirect_exports_year = firm.indirect_exports_year->data();
        double* const imports_year = firm.imports_year->data();
        std::int32_t* const destinations_mask = firm.destinations_mask->data();
        std::int32_t* const entered_mask = firm.entered_mask->data();
        std::int32_t* const exited_mask = firm.exited_mask->data();
        double* const trade_year = firm.trade_year->data();
        std::uint8_t* const traded = traded_this_year.data();
        std::uint8_t* const exported = exported_this_year.data();
        std::uint8_t* const status_of = status.data();
        std::uint16_t* const tenure_of = tenure.data();
        float* const since_exit_of = months_since_exit.data();
        const float* const demand_draw_of = demand_draw.data();
        const double sigma_ces_ = sigma_ces;
        const double trial_ = trial;
        const double fixed_share_ = fixed_share;
        const double entry_noise_ = entry_noise;
        const double sunk_months_ = sunk_months;
        const double exit_h_ = exit_h;
        const double exp_boost_ = exp_boost;
        const double peer_max_ = peer_max;
        const double plat_cut_ = plat_cut;
        const double proc_ratio_ = proc_ratio;
        const double ds_ = ds;
        const bool spread_finite = std::isfinite(ds_ * ds_);
        const double lcl_cut_ = lcl_cut;
        const double kd_value_ = kd_value;
        const double finance_premium_ = finance_premium;
        const double subsidy_cap_ = subsidy_cap;
        const double horizon_max_ = horizon_max;
        const double peer_half_ = peer_half;
        const double exit_cover_ = exit_cover;
        const double ordinary_inputs_ = ordinary_inputs;
        const double cbec_share_ = cbec_share;
        const double direct_multiple_ = direct_multiple;
        const double import_growth_ = import_growth;
        const double kd_extra_ = kd_extra;
        const std::uint64_t consider_cut_ = consider_cut;
        const std::uint64_t one_off_cut_ = one_off_cut;
        const double supplier_gain_ = params.supplier_size_gain;
        const std::uint16_t trial_months_ = trial_months;
        const std::uint32_t step_ = step;
        month_totals& acc = partial[begin / 1024];
        acc = month_totals{};
        // Draws shared by the four firms with ids 4g..4g+3, one word each of a Philox block (a
        // pure function of the group, the month and the purpose), drawn when a firm of the
        // group first asks: whether any pair is considered, and whether a one-off order comes.
        struct shared_words {
            purpose of;
            std::array<std::uint64_t, any_group> words{};
            std::uint64_t group = ~std::uint64_t(0);
        } consider_any{p_consider_any}, one_off{p_one_off};
        auto word = [&](shared_words& w, std::uint64_t id) {
            if (id / any_group != w.group) {
                w.group = id / any_group;
                auto shared = rng(w.group, step_, w.of);
                for (auto& x: w.words) x = shared.uniform_word();
            }
            return w.words[id % any_group];
        };
        for (std::size_t i = begin; i < end; ++i) {
            const auto s = std::size_t(sector_of[i]);
            const auto loc = std::size_t(location_of[i]);
            const bool is_sme = sme_of[i] != 0;
            const bool aeo = aeo_of[i] == 1;
            const bool member = platform_of[i] != 0;
            const auto id = ids[i];
            double exp_total = 0, imp_total = 0, indirect_total = 0;
            std::int32_t n_dest = 0, dest_mask = 0, entered = 0, exited = 0;
            double kd_here = 0, kd_total = 0; // KD kit exports booked in the bonded zone
            double lcl_teu = 0, processing_imports = 0;
            const double teu_per_100m = teu_per_100m_of[s];
            auto ship = [&](std::size_t d, double v) { // chain leaders ship full containers
                if (const double teu = v * teu_per_100m; teu < lcl_cut_) {
                    acc.lcl[s][d] += v;
                    lcl_teu += teu;
                }
            };
            // Imports (100m CNY this month) from the source regions of import_mix; `inputs` is
            // the share of them that are intermediate goods.
            auto import_from = [&](double im, double inputs, bool may_go_lcl) {
                if (im <= 0) return;
                for (std::size_t d = 0; d < R; ++d) {
                    const double v = im * import_mix[s][d];
                    if (v <= 0) continue;
                    acc.imports[s][d] += v;
                    acc.flows[loc][s][d] += v;
                    acc.rmb_goods += v * rmb_share_of[s][d];
                    acc.intermediate += inputs * v;
                    if (may_go_lcl) ship(d, v);
                }
                imp_total += im;
            };
            const double customs_factor = customs_factor_of[s][loc][aeo_of[i]];
            if (const auto leader = leader_of[i]; leader > 0) {
                const auto& L = leaders[leader - 1];
                for (std::size_t d = 0; d < R; ++d) {
                    double v = cal.sector_target[s] * leader_export_share[leader - 1] * cal.export_mix[s][d] /
                               months_per_year * growth[s][d] * cost_index[s][d] * fx_factor[s][is_sme] * customs_factor;
                    if (L.s == sector::autos_parts) {
                        // KD hubs add kit exports on top of vehicles (kits reach markets with
                        // local-assembly rules); a kit is worth ~0.6 of a vehicle (ASSUMPTION).
                        const double kd = v * kd_value_ * kd_extra_;
                        acc.kd_exports += kd;
                        // KD hubs sit in the bonded zones (plan measure 2: Xiyong,
                        // Lianglu-Cuntan, Yongchuan); kits are booked there.
                        acc.trade_by_location[std::size_t(location::lianglu_cuntan_bonded)] += kd;
                        acc.flows[std::size_t(location::lianglu_cuntan_bonded)][s][d] += kd;
                        kd_here += kd;
                        kd_total += kd;
                        v += kd;
                    }
                    acc.exports[s][d] += v;
                    if (L.s == sector::laptops_electronics) acc.laptop_exports += v;
                    processing_imports += v * leader_import_ratio[leader - 1] * proc_ratio_;
                    acc.flows[loc][s][d] += v - kd_here;
                    kd_here = 0;
                    exp_total += v;
                    acc.rmb_goods += v * rmb_share_of[s][d];
                    acc.intermediate += v * intermediate_share[s];
                }
                import_from(processing_imports, 1.0, false); // leaders ship full containers
                n_dest = std::int32_t(R);
                dest_mask = (1 << R) - 1;
            } else {
                const double z = cap[i];
                // Supplier links raise capability (Alfaro-Urena et al.), in full from the link's first
                // month (the evidence's gain accrues over four years: the model front-loads it).
                const double zi = z * (supplier_of[i] >= 0 ? 1.0 + supplier_gain_ : 1.0);
                const double fx_sme = fx_factor[s][is_sme];
                // One stream per firm and month gives the firm's draws, taken in turn as they
                // are needed.
                // Consideration: each pair without a relationship is considered with
                // probability entry_h, independently. That is drawn as: one draw for whether any
                // of the k such pairs is (probability 1 - (1 - entry_h)^k); only if so, one per
                // pair in destination order, each conditional on at least one among the pairs
                // left (entry_h / (1 - (1 - entry_h)^left)) until one is, then entry_h. The
                // joint distribution is that of k independent draws. Draws are compared as words
                // (random.hpp uniform_cut). Every pair without a relationship ages its time since
                // exit (before the entry decision reads it); the pairs with one, and those
                // considering entry, go through the decisions in destination order.
                // The first draw (whether any pair is considered) comes from a stream shared by
                // the four firms with ids 4g..4g+3, one word each: one Philox block serves four
                // firms, and most firm-months need no other draw. The firm's own stream gives the
                // rest, computed only if drawn from.
                auto draws = rng(id, step_, p_entry);
                auto demand_here = [&](std::size_t d) {
                    return cal.demand_shift[s][d] * growth[s][d] * cost_index[s][d] * fx_sme * customs_factor;
                };
                // Books a month's sales to d (exports, flows, shipments, settlement, processing
                // imports of bonded-zone electronics).
                auto book_sales = [&](std::size_t d, double sales, bool via_trade_company) {
                    if (via_trade_company) indirect_total += sales;
                    acc.exports[s][d] += sales;
                    acc.flows[loc][s][d] += sales;
                    ship(d, sales);
                    exp_total += sales;
                    ++n_dest;
                    dest_mask |= 1 << d;
                    const double rmb = rmb_share_of[s][d];
                    acc.rmb_goods += sales * rmb;
                    acc.intermediate += sales * intermediate_share[s];
                    if (bonded[loc] &&
                        (s == std::size_t(sector::laptops_electronics) || s == std::size_t(sector::electronic_components)))
                        processing_imports += sales * proc_ratio_;
                };
                std::uint32_t deciding = 0; // bit d: the pair to d goes through the decisions
                {
                    // The row copied in and out as a whole: local copies let the compiler keep
                    // them in registers and add the months as vectors.
                    std::array<std::uint8_t, R> pair_status;
                    std::memcpy(pair_status.data(), status_of + i * R, R);
                    std::uint32_t none = 0; // bit d: no relationship to d
                    std::size_t k = 0;      // how many (counted here: std::popcount is a libgcc
                                            // call without -mpopcnt, ~2 % of a month)
                    for (std::size_t d = 0; d < R; ++d) {
                        const bool idle = pair_status[d] == 0;
                        none |= std::uint32_t(idle) << d;
                        k += idle;
                    }
                    std::array<float, R> pair_since_exit;
                    std::memcpy(pair_since_exit.data(), since_exit_of + i * R, sizeof pair_since_exit);
                    for (std::size_t d = 0; d < R; ++d) // (+0 changes no count: no branch)
                        pair_since_exit[d] += float((none >> d) & 1u);
                    std::memcpy(since_exit_of + i * R, pair_since_exit.data(), sizeof pair_since_exit);
                    deciding = ~none & ((1u << R) - 1);
                    if (k > 0 && word(consider_any, id) < any_considered_cut[k])
                        for (std::uint32_t left = none; left != 0; left &= left - 1, --k) {
                            const bool found = (deciding & none) != 0;
                            if (draws.uniform_word() < (found ? consider_cut_ : first_considered_cut[k]))
                                deciding |= left & (0u - left); // the lowest pair left
                        }
                }
                for (std::uint32_t left = deciding; left != 0; left &= left - 1) {
                    const auto d = std::size_t(std::countr_zero(left)); // in destination order
                    const std::size_t k = i * R + d;
                    const double potential = demand_here(d) * zi; // full-scale monthly sales at mean demand
                    const double ref_profit = cal.ref_profit_2024[s] > 0 ? cal.ref_profit_2024[s] : 1e-9;
                    const double fixed = fixed_share_ * ref_profit * (member ? 1.0 - plat_cut_ : 1.0);
                    std::uint8_t& st = status_of[k];
                    if (st == 0) {
                        if (potential <= 0) continue; // no demand for the sector there (e.g. cars in Japan)
                        // Expected profit with the demand draw unknown; market intelligence reveals
                        // part of it before entry.
                        const double m = lv.intel[s][d];
                        const double draw = double(demand_draw_of[k]);
                        // Without intelligence (m = 0), a finite positive draw and a finite
                        // spread the exponent is (+-0 + a) - a = 0 exactly and exp gives 1: skip
                        // exp and log.
                        const double belief =
                            m == 0 && draw > 0 && draw < HUGE_VAL && spread_finite
                                ? 1.0
                                : std::exp(m * std::log(draw) + 0.5 * (1 - m * m) * ds_ * ds_ - 0.5 * ds_ * ds_);
                        const double profit = potential * belief / sigma_ces_ - fixed;
                        // Sunk cost: months of a typical exporter's profit, lowered by experience,
                        // linked prior destinations, local peers, platform membership, policy.
                        double sunk = sunk_months_ * ref_profit;
                        const double since = since_exit_of[k];
                        if (since < 12) sunk *= 1.0 - exp_boost_ * (1.0 - since / 12.0);
                        std::int32_t linked = 0;
                        for (std::size_t d2 = 0; d2 < R; ++d2)
                            if ((linked_regions[d] >> d2) & 1u) linked += status_of[i * R + d2] == 2;
                        sunk *= linked_factor[std::size_t(linked)];
                        const double p = peers[s][d];
                        sunk *= 1.0 - peer_max_ * p / (p + peer_half_);
                        if (member) sunk *= 1.0 - plat_cut_;
                        double sub = lv.subsidy_all[s][d] + subsidy_loc[loc] + (is_sme ? lv.subsidy_sme[s][d] : 0.0);
                        // Finance: constrained SMEs see a higher effective entry cost; insurance
                        // relieves it (van der Veer: insured exports multiplier 2.3).
                        const double ins = std::min(1.0, lv.insurance_all[s][d] + (is_sme ? lv.insurance_sme[s][d] : 0.0));
                        if (is_sme) sunk *= 1.0 + finance_premium_ * (1.0 - ins);
                        sunk *= 1.0 - std::min(subsidy_cap_, sub);
                        const double horizon = std::min(horizon_max_, 1.0 / exit_h_);
                        const double value = profit * horizon - sunk;
                        // Logistic noise in the entry rule, entry_noise of the sunk cost wide.
                        if (draws.uniform() < logistic(value / (entry_noise_ * sunk_months_ * ref_profit))) {
                            st = 1;
                            tenure_of[k] = 0;
                            acc.new_entries += 1;
                            entered |= 1 << d;
                        } else
                            continue;
                    }
                    // Exporting (trial or established).
                    ++tenure_of[k];
                    const double realized = potential * double(demand_draw_of[k]);
                    const double sales = st == 1 ? trial_ * realized : realized;
                    bool stay = draws.uniform() >= exit_h_;
                    if (st == 1 && tenure_of[k] >= trial_months_) {
                        // End of the trial year: stay if full-scale profit covers fixed cost.
                        if (realized / sigma_ces_ - fixed > 0) {
                            st = 2;
                            acc.trial_promotions += 1;
                        } else {
                            stay = false;
                            acc.trial_exits += 1;
                        }
                    } else if (st == 2 && realized / sigma_ces_ < exit_cover_ * fixed)
                        stay = false; // hysteresis: stay while covering half the fixed cost
                    if (!stay) {
                        acc.exits += 1;
                        exited |= 1 << d;
                        st = 0;
                        tenure_of[k] = 0;
                        since_exit_of[k] = 0;
                        continue;
                    }
                    // Mode by market (Ahn, Khandelwal & Wei): exporting directly pays only where
                    // the firm's gross profit clears direct_export_profit_multiple x the market's
                    // fixed cost; below it, and for trade-company clients (the indirect flag), a
                    // trade company exports. Trial sales are small, so new markets start indirect.
                    book_sales(d, sales, indirect_of[i] || sales / sigma_ces_ < direct_multiple_ * fixed);
                    if (st == 2) acc.established[s][d] += 1;
                }
                // One-off exporters (Eaton et al. 2008; Blum et al.): a firm exporting nowhere this
                // month may fill a single foreign order, one month's sales at trial scale in a
                // destination drawn by the sector's export mix, without a relationship or a sunk
                // cost. Customs data see these firms as exporters, so the firm declares the sale
                // itself unless it is a trade company's client; the shipment is experience in
                // that market (re-entry there costs less for a year).
                // Whether the order comes is one word of a block shared by four firms (as the
                // consideration's first draw), drawn only for firms exporting nowhere.
                if (n_dest == 0 && word(one_off, id) < one_off_cut_) {
                    const double pick = draws.uniform();
                    double cum = 0;
                    std::size_t d = R - 1;
                    for (std::size_t d2 = 0; d2 < R; ++d2) {
                        cum += cal.export_mix[s][d2];
                        if (pick < cum) {
                            d = d2;
                            break;
                        }
                    }
                    const std::size_t k = i * R + d;
                    const double sales = trial_ * demand_here(d) * zi * double(demand_draw_of[k]);
                    if (sales > 0 && status_of[k] == 0) {
                        book_sales(d, sales, indirect_of[i] != 0);
                        since_exit_of[k] = 0;
                        acc.one_off_orders += 1;
                    }
                }
                import_from(processing_imports, 1.0, true);
                // Ordinary imports: importer firms, proportional to capability (ASSUMPTION: 60%
                // of them are inputs).
                if (importer_of[i] == 2 || (importer_of[i] == 1 && exp_total > 0)) {
                    import_from(cal.ordinary_import_scale * zi * import_growth_, ordinary_inputs_, true);
                    acc.ordinary_import_base += zi * import_growth_;
                }
                // (Adding +0 to a sum of non-negative terms changes no bit: skipped.)
                if (indirect_total != 0) acc.indirect_exports += indirect_total;
                if (const double cbec = cbec_share_ * exp_total; cbec_of[i] && cbec != 0) acc.cbec_exports += cbec;
            }
            if (exp_total == 0 && imp_total == 0 && lcl_teu == 0 && n_dest == 0 && dest_mask == 0 && entered == 0 &&
                exited == 0) {
                // A month without trade (most firms' month): the yearly columns and the totals
                // would add zeros, which changes no bit, so only last month's columns are
                // cleared where they are not clear (at national scale, writing every row of
                // every column each month was a good part of the month's memory traffic).
                if (exports_month[i] != 0) exports_month[i] = 0;
                if (imports_month[i] != 0) imports_month[i] = 0;
                if (lcl_teu_month[i] != 0) lcl_teu_month[i] = 0;
                if (destinations[i] != 0) destinations[i] = 0;
                continue;
            }
            exports_month[i] = exp_total;
            imports_month[i] = imp_total;
            lcl_teu_month[i] = lcl_teu;
            destinations[i] = n_dest;
            exports_year[i] += exp_total;
            indirect_exports_year[i] += indirect_total;
            imports_year[i] += imp_total;
            destinations_mask[i] |= dest_mask;
            entered_mask[i] |= entered;
            exited_mask[i] |= exited;
            trade_year[i] += exp_total + imp_total;
            acc.trade_by_location[loc] += exp_total + imp_total - kd_total;
            if (aeo) acc.aeo_trade += exp_total + imp_total;
            // Exports through a trade company are declared by it, not by the firm.
            if (exp_total - indirect_total > 0 || imp_total > 0) traded[i] = 1;
            if (exp_total > 0) exported[i] = 1;
        }
    });
    month = month_totals{};
    for (const auto& p: partial) month.add(p);
    peers = month.established;
}

} // namespace tradeeco::models
