//! The engine against RULES.md, one test per rule and option, numbers worked
//! out by hand in comments; then properties that must hold for any input.

mod builder;

mod attribution;
mod cpa_cap;
mod cpa_thresholds;
mod cpa_window;
mod customer_image;
mod deals;
mod export;
mod forex_difference;
mod forex_levels_spread;
mod fx_rounding;
mod igaming_ngr;
mod limits;
mod overrides;
mod parallel_feed;
mod prop_purchases;
mod prop_refunds;
mod revshare_carry;
mod revshare_tiers;
mod state_resume;
mod unknown_country;

mod input_world;
mod properties_forex;
mod properties_inputs;
mod properties_refund;
