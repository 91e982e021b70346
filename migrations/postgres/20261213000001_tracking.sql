-- The tracking server (issue 29, first part): links, landing templates,
-- the daily visitor salt and clicks. See docs/decisions.md §19.

-- A brand's landing URL template, with placeholders such as {click_id}.
CREATE TABLE brand_landings (
    brand_id     TEXT PRIMARY KEY REFERENCES brands (brand_id),
    url_template TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- A tracking link: the path it is served at (without the leading '/'),
-- fixed when the link is made from the operator's path scheme, and the
-- tracking code it stands for. landing_url overrides the brand's template.
CREATE TABLE tracking_links (
    path        TEXT PRIMARY KEY,
    brand_id    TEXT NOT NULL,
    code        TEXT NOT NULL,
    landing_url TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    FOREIGN KEY (brand_id, code) REFERENCES tracking_codes (brand_id, code)
);
CREATE INDEX tracking_links_code ON tracking_links (brand_id, code);

-- The salt of each UTC day for visitor hashes, shared by every instance of
-- the server (the first to need it makes it). Old days are deleted.
CREATE TABLE click_salts (
    day  TEXT PRIMARY KEY,
    salt TEXT NOT NULL
);

-- The first human click of one visitor on one link in one UTC day: the row
-- that makes a click unique, across server instances.
CREATE TABLE click_visitors (
    link_path TEXT NOT NULL,
    day       TEXT NOT NULL,
    visitor   TEXT NOT NULL,
    PRIMARY KEY (link_path, day, visitor)
);

-- Every click, humans, bots and prefetches alike (kind says which).
-- No raw IP address is ever stored: visitor is a salted hash.
CREATE TABLE clicks (
    click_id      TEXT PRIMARY KEY,
    at            TEXT NOT NULL,
    day           TEXT NOT NULL,
    link_path     TEXT NOT NULL,
    brand_id      TEXT NOT NULL,
    code          TEXT NOT NULL,
    sub1          TEXT,
    sub2          TEXT,
    sub3          TEXT,
    sub4          TEXT,
    sub5          TEXT,
    campaign      TEXT,
    referrer_host TEXT,
    country       TEXT,
    visitor       TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('human', 'bot', 'prefetch')),
    is_unique     BIGINT NOT NULL CHECK (is_unique IN (0, 1))
);
CREATE INDEX clicks_day_code ON clicks (day, brand_id, code);
