-- The customers as the commission engine resolved them (brand, partner by
-- tracking code, whether they earn), kept as one binary image so that a run
-- after one more day of data does not read and resolve every customer again.
-- It is only used while `world_stamp` still has the value it was written
-- with: every statement that changes customers, tracking codes, brands or
-- geo blocks, by any path, moves the stamp (the triggers below), and the
-- image is then rebuilt by the next run.
CREATE TABLE world_stamp (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    n  BIGINT NOT NULL
);
INSERT INTO world_stamp (id, n) VALUES (1, 0);

CREATE TABLE customer_image (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    stamp BIGINT NOT NULL,
    image BYTEA NOT NULL
);

CREATE FUNCTION bump_world_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE world_stamp SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER customers_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON customers
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_stamp();
CREATE TRIGGER tracking_codes_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tracking_codes
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_stamp();
CREATE TRIGGER brands_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brands
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_stamp();
CREATE TRIGGER brand_geo_blocks_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON brand_geo_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION bump_world_stamp();
