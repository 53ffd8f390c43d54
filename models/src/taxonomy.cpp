#include <tradeeco/models/taxonomy.hpp>

namespace tradeeco::models {

// Zone memberships from the plan (measures 12-14): Lianglu-Cuntan bonded port lies in Liangjiang
// New Area and the FTZ's Liangjiang section; Xiyong lies in the Western Science City high-tech
// zone and the FTZ's Xiyong section; the International Rail Port (Shapingba) is in the FTZ's
// Xiyong section. Other bonded zones are outside the FTZ.
location_membership location_flags(location l) noexcept {
    switch (l) {
    case location::lianglu_cuntan_bonded: return {true, true, true, false};
    case location::xiyong_bonded: return {true, true, false, true};
    case location::rail_port_bonded: return {true, true, false, false};
    case location::jiangjin_bonded:
    case location::fuling_bonded:
    case location::wanzhou_bonded:
    case location::yongchuan_bonded: return {true, false, false, false};
    case location::liangjiang_other: return {false, true, true, false};
    case location::hightech_other: return {false, false, false, true};
    case location::elsewhere: return {false, false, false, false};
    }
    return {false, false, false, false};
}

} // namespace tradeeco::models
