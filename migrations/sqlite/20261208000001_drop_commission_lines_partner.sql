-- Every read of commission lines names its period, and the primary key
-- (period, partner_id, brand_id, kind, origin_period) finds a period's lines
-- and a partner's within it. The index by (partner_id, period) served no
-- query; keeping it up to date was about a third of writing a period's lines.
DROP INDEX commission_lines_partner;
