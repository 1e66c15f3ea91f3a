-- The W3C trace context of the request that queued a delivery: the delivery carries it on,
-- so that a receiver's logs join the sender's trace.
ALTER TABLE webhook_deliveries ADD COLUMN traceparent TEXT;
