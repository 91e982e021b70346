-- The customers as the commission engine resolved them (brand, partner by
-- tracking code, whether they earn), kept as one binary image so that a run
-- after one more day of data does not read and resolve every customer again.
-- It is only used while `world_stamp` still has the value it was written
-- with: every change to customers, tracking codes, brands or geo blocks, by
-- any path, moves the stamp (the triggers below), and the image is then
-- rebuilt by the next run.
CREATE TABLE world_stamp (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO world_stamp (id, n) VALUES (1, 0);

CREATE TABLE customer_image (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    stamp INTEGER NOT NULL,
    image BLOB NOT NULL
);

CREATE TRIGGER customers_insert_stamp AFTER INSERT ON customers
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER customers_update_stamp AFTER UPDATE ON customers
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER customers_delete_stamp AFTER DELETE ON customers
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER tracking_codes_insert_stamp AFTER INSERT ON tracking_codes
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tracking_codes_update_stamp AFTER UPDATE ON tracking_codes
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER tracking_codes_delete_stamp AFTER DELETE ON tracking_codes
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER brands_insert_stamp AFTER INSERT ON brands
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brands_update_stamp AFTER UPDATE ON brands
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brands_delete_stamp AFTER DELETE ON brands
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER brand_geo_blocks_insert_stamp AFTER INSERT ON brand_geo_blocks
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brand_geo_blocks_update_stamp AFTER UPDATE ON brand_geo_blocks
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER brand_geo_blocks_delete_stamp AFTER DELETE ON brand_geo_blocks
BEGIN UPDATE world_stamp SET n = n + 1 WHERE id = 1; END;
