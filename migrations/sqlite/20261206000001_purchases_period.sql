-- Every run asks for the first period holding data (MIN(period) over the
-- activity, trades and purchases): activity and trades answer from their
-- period index, purchases had none and were read whole (a few hundredths of
-- a second at 200k purchases, before anything else of the run could start).
CREATE INDEX purchases_period ON purchases (period);
