-- A run that resumes from a stored state reads only the purchases of the
-- customers with a purchase or a refund from the resumed period on; the
-- refunds are found by this index instead of a read of every purchase.
CREATE INDEX purchases_refund_period ON purchases (refund_period);
