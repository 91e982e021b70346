-- Reports by partner over whole months read `c` slices (a month by tracking
-- code, countries summed, blocked ones apart), summed from the month slices
-- at the next report: a database holding roll-ups gets them then.
INSERT INTO meta (key, value) VALUES ('report_codes_stale', '1') ON CONFLICT (key) DO NOTHING;
