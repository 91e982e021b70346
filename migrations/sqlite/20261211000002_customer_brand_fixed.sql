-- A customer with stored activity, trades or purchases keeps its brand
-- (RULES.md: a row's brand_id must be its customer's brand). Moving it
-- would leave its rows under the old brand and silently change commission;
-- the import and the syncs refuse such a move, and this is the guard behind
-- them. A customer without rows may still move.
CREATE TRIGGER customers_brand_fixed BEFORE UPDATE OF brand_id ON customers
WHEN NEW.brand_id <> OLD.brand_id AND (
    EXISTS (SELECT 1 FROM igaming_activity WHERE customer_id = OLD.customer_id)
    OR EXISTS (SELECT 1 FROM trades WHERE customer_id = OLD.customer_id)
    OR EXISTS (SELECT 1 FROM purchases WHERE customer_id = OLD.customer_id))
BEGIN
    SELECT RAISE(ABORT, 'customer_brand_fixed: a customer with stored activity, trades or purchases cannot move to another brand');
END;
