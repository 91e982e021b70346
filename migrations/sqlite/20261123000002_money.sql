-- Plans, assignments, customers, activity, trades, purchases, FX rates,
-- periods and commission lines (RULES.md).

CREATE TABLE plans (
    plan_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, version)
);

CREATE TABLE assignments (
    partner_id TEXT NOT NULL REFERENCES partners (partner_id),
    brand_id   TEXT NOT NULL REFERENCES brands (brand_id),
    valid_from TEXT NOT NULL,
    plan_id    TEXT NOT NULL,
    valid_to   TEXT,
    PRIMARY KEY (partner_id, brand_id, valid_from)
);

CREATE TABLE customers (
    customer_id   TEXT PRIMARY KEY,
    brand_id      TEXT NOT NULL REFERENCES brands (brand_id),
    tracking_code TEXT,
    country       TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    status        TEXT NOT NULL
);
CREATE INDEX customers_code ON customers (brand_id, tracking_code);

CREATE TABLE igaming_activity (
    customer_id TEXT NOT NULL REFERENCES customers (customer_id),
    date        TEXT NOT NULL,
    brand_id    TEXT NOT NULL,
    period      TEXT NOT NULL,
    deposits    TEXT NOT NULL,
    withdrawals TEXT NOT NULL,
    bets        TEXT NOT NULL,
    wins        TEXT NOT NULL,
    bonuses     TEXT NOT NULL,
    chargebacks TEXT NOT NULL,
    taxes       TEXT NOT NULL,
    PRIMARY KEY (customer_id, date)
);
CREATE INDEX igaming_activity_period ON igaming_activity (period);

CREATE TABLE trades (
    trade_id         TEXT PRIMARY KEY,
    customer_id      TEXT NOT NULL REFERENCES customers (customer_id),
    brand_id         TEXT NOT NULL,
    symbol           TEXT NOT NULL,
    instrument_group TEXT NOT NULL,
    lots             TEXT NOT NULL,
    open_time        TEXT NOT NULL,
    close_time       TEXT NOT NULL,
    period           TEXT NOT NULL,
    commission       TEXT NOT NULL,
    spread_revenue   TEXT NOT NULL
);
CREATE INDEX trades_period ON trades (period);
CREATE INDEX trades_customer ON trades (customer_id);

CREATE TABLE purchases (
    order_id      TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (customer_id),
    brand_id      TEXT NOT NULL,
    product       TEXT NOT NULL,
    amount        TEXT NOT NULL,
    coupon_code   TEXT,
    purchased_at  TEXT NOT NULL,
    refunded_at   TEXT,
    period        TEXT NOT NULL,
    refund_period TEXT
);
CREATE INDEX purchases_customer ON purchases (customer_id);

CREATE TABLE fx_rates (
    date  TEXT NOT NULL,
    base  TEXT NOT NULL,
    quote TEXT NOT NULL,
    rate  TEXT NOT NULL,
    PRIMARY KEY (date, base, quote)
);

CREATE TABLE periods (
    period      TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    inputs      TEXT NOT NULL,
    closed_at   TEXT,
    closed_by   TEXT
);

CREATE TABLE period_plans (
    period  TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (period, plan_id)
);

CREATE TABLE commission_lines (
    period         TEXT NOT NULL,
    partner_id     TEXT NOT NULL,
    brand_id       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    origin_period  TEXT NOT NULL,
    amount         TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    amount_brand   TEXT NOT NULL,
    brand_currency TEXT NOT NULL,
    fx_rate        TEXT NOT NULL,
    explanation    TEXT NOT NULL,
    PRIMARY KEY (period, partner_id, brand_id, kind, origin_period)
);
CREATE INDEX commission_lines_partner ON commission_lines (partner_id, period);
