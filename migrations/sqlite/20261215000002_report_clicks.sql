-- Human clicks for reports (REPORTS.md `clicks`, `unique_clicks`): counted
-- per (UTC day, brand, tracking code, country as the tracking server saw it,
-- '' when unknown), kept current by the click writer in each batch's own
-- transaction (`clicks = clicks + n`), so a click never marks the roll-ups
-- stale. The partner is the tracking code's, looked up when a report reads.
CREATE TABLE report_clicks (
    day           TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    tracking_code TEXT NOT NULL,
    country       TEXT NOT NULL,
    clicks        BIGINT NOT NULL,
    unique_clicks BIGINT NOT NULL,
    PRIMARY KEY (day, brand_id, tracking_code, country)
);

-- Clicks recorded before this table existed.
INSERT INTO report_clicks (day, brand_id, tracking_code, country, clicks, unique_clicks)
SELECT day, brand_id, code, COALESCE(country, ''), COUNT(*), SUM(is_unique)
FROM clicks WHERE kind = 'human'
GROUP BY day, brand_id, code, COALESCE(country, '');
