-- Reporting roll-ups (REPORTS.md): exact sums per slice, kept current as data
-- arrives. `grain` is 'd' (a day), 'm' (a month; `day` is its first day) or
-- 'b' (a day, by brand and country only); `source` is 'a' (registrations,
-- activity, trades; the partner comes from the tracking code when read) or
-- 'p' (purchases and refunds; `partner_id` is the partner the purchase is
-- attributed to, '' for none). `figures` holds the counts and exact decimal
-- sums as text (summed in Rust, never in SQL).
CREATE TABLE report_rollups (
    grain         TEXT NOT NULL,
    source        TEXT NOT NULL,
    day           TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    tracking_code TEXT NOT NULL,
    country       TEXT NOT NULL,
    excluded      INTEGER NOT NULL,
    partner_id    TEXT NOT NULL,
    figures       TEXT NOT NULL,
    PRIMARY KEY (grain, source, day, brand_id, tracking_code, country, excluded, partner_id)
);

-- Each customer's FTD day (first day ever with deposits > 0), so a roll-up
-- rebuilt from a period on knows who deposited before it.
CREATE TABLE report_ftds (
    customer_id TEXT PRIMARY KEY,
    day         TEXT NOT NULL
);
CREATE INDEX report_ftds_day ON report_ftds (day);

-- A database that holds data already builds its roll-ups at the next report.
INSERT INTO meta (key, value) VALUES ('report_stale_from', '0000-00') ON CONFLICT (key) DO NOTHING;
