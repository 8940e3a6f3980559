-- Migration 11: webhook deliveries remembered for a while (`atomiton_trigger_deliveries`: one row
-- per hook and key — a signature, so a replayed delivery is refused, or an Idempotency-Key, so a
-- retried one starts one run — with the run it started and until when it is kept).
CREATE TABLE atomiton_trigger_deliveries (
    flow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    key TEXT NOT NULL,
    run_id TEXT NOT NULL,
    keep_until BIGINT NOT NULL,
    PRIMARY KEY (flow_id, node_id, key)
);
CREATE INDEX atomiton_trigger_deliveries_until ON atomiton_trigger_deliveries (keep_until);
