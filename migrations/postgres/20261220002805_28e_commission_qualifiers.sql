-- The customers a period's own CPA lines paid (after the cap), one row each,
-- as the run saw them (the country it paid for; the line's currency): what
-- REPORTS.md's `qualified_cpas` counts. The run writes them beside the
-- lines, in the same transaction, and replaces them with the lines, so a
-- report counts them with one grouped query instead of parsing the lines'
-- explanations (docs/decisions.md §20). The tracking code is the
-- customer's, joined when a report groups by it.
CREATE TABLE commission_qualifiers (
    period      TEXT NOT NULL,
    partner_id  TEXT NOT NULL,
    brand_id    TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    country     TEXT NOT NULL,
    currency    TEXT NOT NULL
);
CREATE INDEX commission_qualifiers_period ON commission_qualifiers (period, brand_id);

-- Lines stored before this table: their CPA lines' paid customers, read
-- once from the explanations (closed periods are never run again, so
-- marking the commissions dirty would leave theirs empty).
INSERT INTO commission_qualifiers (period, partner_id, brand_id, customer_id, country, currency)
SELECT l.period, l.partner_id, l.brand_id,
       CASE WHEN jsonb_typeof(q.value -> 'customer_id') = 'string' THEN q.value ->> 'customer_id' ELSE '' END,
       CASE WHEN jsonb_typeof(q.value -> 'country') = 'string' THEN q.value ->> 'country' ELSE '' END,
       l.currency
FROM commission_lines l
CROSS JOIN LATERAL jsonb_array_elements(
    CASE WHEN jsonb_typeof(l.explanation::jsonb -> 'customers') = 'array'
         THEN l.explanation::jsonb -> 'customers' ELSE '[]'::jsonb END) AS q(value)
WHERE l.kind = 'cpa' AND l.origin_period = '';
