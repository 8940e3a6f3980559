-- Migration 1: runs, flows kept once per distinct text, nodes, and durable runs' checkpoints.
CREATE TABLE atomiton_runs (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    flow_id TEXT NOT NULL,
    flow_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    start_time DOUBLE PRECISION NOT NULL,
    end_time DOUBLE PRECISION,
    duration DOUBLE PRECISION,
    error TEXT,
    retry_of TEXT,
    owner TEXT,
    durable BOOLEAN NOT NULL DEFAULT FALSE,
    claimed BOOLEAN NOT NULL DEFAULT FALSE,
    flow TEXT NOT NULL,
    input TEXT NOT NULL,
    variables TEXT NOT NULL
);
CREATE INDEX atomiton_runs_by_start ON atomiton_runs (start_time, seq);
CREATE INDEX atomiton_runs_by_flow ON atomiton_runs (flow_id, start_time, seq);
CREATE INDEX atomiton_runs_by_status ON atomiton_runs (status, start_time, seq);
CREATE INDEX atomiton_runs_by_hash ON atomiton_runs (flow_hash);
CREATE TABLE atomiton_flows (
    hash TEXT PRIMARY KEY,
    flow TEXT NOT NULL
);
CREATE TABLE atomiton_nodes (
    row_seq BIGSERIAL PRIMARY KEY,
    run_seq BIGINT NOT NULL REFERENCES atomiton_runs (seq) ON DELETE CASCADE,
    node_id TEXT NOT NULL,
    node_type TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    reused BOOLEAN NOT NULL,
    reusable BOOLEAN NOT NULL,
    input TEXT,
    output TEXT,
    error TEXT,
    start_time DOUBLE PRECISION,
    end_time DOUBLE PRECISION,
    cache_key TEXT,
    cache_age DOUBLE PRECISION
);
CREATE INDEX atomiton_nodes_by_run ON atomiton_nodes (run_seq);
CREATE TABLE atomiton_checkpoints (
    run_seq BIGINT NOT NULL REFERENCES atomiton_runs (seq) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    node_id TEXT NOT NULL,
    node_type TEXT NOT NULL,
    idempotent BOOLEAN NOT NULL,
    value TEXT,
    checksum TEXT NOT NULL,
    PRIMARY KEY (run_seq, kind, node_id)
);
