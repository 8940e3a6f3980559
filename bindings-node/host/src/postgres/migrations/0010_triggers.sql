-- Migration 10: triggers (`atomiton_triggers`: one row per trigger node of an activated flow,
-- with its cursor) and their fires (`atomiton_trigger_fires`: one row per trigger and fire time,
-- the key that makes each fire start one run across the processes of a fleet; `skipped` holds a
-- range of fires that did not run, as JSON text, on the row of its first).
CREATE TABLE atomiton_triggers (
    flow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    parameters TEXT NOT NULL,
    activated_at BIGINT NOT NULL,
    handled_through BIGINT NOT NULL,
    paused BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (flow_id, node_id)
);
CREATE TABLE atomiton_trigger_fires (
    flow_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until BIGINT NOT NULL,
    run_id TEXT,
    fired_at BIGINT,
    skipped TEXT,
    PRIMARY KEY (flow_id, node_id, scheduled_at)
);
CREATE INDEX atomiton_trigger_fires_claimed ON atomiton_trigger_fires (lease_until)
    WHERE status = 'claimed';
