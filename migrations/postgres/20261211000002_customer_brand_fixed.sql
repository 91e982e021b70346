-- A customer with stored activity, trades or purchases keeps its brand
-- (RULES.md: a row's brand_id must be its customer's brand). Moving it
-- would leave its rows under the old brand and silently change commission;
-- the import and the syncs refuse such a move, and this is the guard behind
-- them. A customer without rows may still move.
CREATE FUNCTION customers_brand_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.brand_id <> OLD.brand_id AND (
        EXISTS (SELECT 1 FROM igaming_activity WHERE customer_id = OLD.customer_id)
        OR EXISTS (SELECT 1 FROM trades WHERE customer_id = OLD.customer_id)
        OR EXISTS (SELECT 1 FROM purchases WHERE customer_id = OLD.customer_id)) THEN
        RAISE EXCEPTION 'customer_brand_fixed: a customer with stored activity, trades or purchases cannot move to another brand (customer %)', OLD.customer_id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- Only rows whose brand changes call the function (a re-import rewrites
-- every customer with its own brand).
CREATE TRIGGER customers_brand_fixed BEFORE UPDATE OF brand_id ON customers
FOR EACH ROW WHEN (NEW.brand_id IS DISTINCT FROM OLD.brand_id)
EXECUTE FUNCTION customers_brand_fixed();
