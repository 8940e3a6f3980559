-- Migration 4: the stores writing, one row each (a process may open several): the last batch
-- each applied, so a batch sent again after its answer was lost (the connection broke) is not
-- applied twice, and when each was last heard from (`seen`, by the server's clock), so the runs
-- of a process that stopped are taken for lost (see liveness.rs). `atomiton_write` now names
-- its store and batch; a run's end may come from its owner after a recovery took it for lost.
CREATE TABLE atomiton_writers (
    writer TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    batch BIGINT NOT NULL,
    seen TIMESTAMPTZ NOT NULL
);
CREATE INDEX atomiton_writers_by_owner ON atomiton_writers (owner, seen);
CREATE INDEX atomiton_runs_running ON atomiton_runs (owner) WHERE status = 'running';

-- Migration 3's function again, whole (a function is replaced whole, and migration 3's text stays
-- as databases applied it): only `ended` changed.
CREATE OR REPLACE FUNCTION atomiton_write_one(writer TEXT, w JSONB) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    run_seq_ BIGINT;
    stored TEXT;
    own TEXT;
BEGIN
    IF w->>'op' = 'begin' THEN
        own := '';
        IF jsonb_typeof(w->'flow') = 'string' THEN
            INSERT INTO atomiton_flows (hash, flow) VALUES (w->>'hash', w->>'flow')
                ON CONFLICT (hash) DO NOTHING;
            SELECT flow INTO stored FROM atomiton_flows WHERE hash = w->>'hash';
            -- A text that differs from the one stored under its hash (a crafted collision) is
            -- kept in the run's own row.
            IF stored IS DISTINCT FROM w->>'flow' THEN own := w->>'flow'; END IF;
        END IF;
        INSERT INTO atomiton_runs (id, flow_id, flow_hash, status, start_time, end_time,
                duration, error, retry_of, owner, flow, input, variables, durable)
            VALUES (w->>'id', w->>'flowId', w->>'hash', w->>'status',
                (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION,
                (w->>'duration')::DOUBLE PRECISION, w->>'error', w->>'retryOf',
                w->>'owner', own, w->>'input', w->>'variables', (w->>'durable')::BOOLEAN)
            ON CONFLICT (id) DO UPDATE SET input = EXCLUDED.input, variables = EXCLUDED.variables
            WHERE NOT (atomiton_runs.claimed AND atomiton_runs.owner IS DISTINCT FROM writer);
        RETURN;
    END IF;
    SELECT seq INTO run_seq_ FROM atomiton_runs
        WHERE id = w->>'id' AND NOT (claimed AND owner IS DISTINCT FROM writer);
    IF run_seq_ IS NULL THEN RETURN; END IF;
    IF w->>'op' = 'node' THEN
        INSERT INTO atomiton_nodes (run_seq, node_id, node_type, state, attempts, reused,
                reusable, input, output, error, start_time, end_time, cache_key, cache_age)
            VALUES (run_seq_, w->>'node', w->>'type', w->>'state', (w->>'attempts')::INTEGER,
                (w->>'reused')::BOOLEAN, (w->>'reusable')::BOOLEAN, w->>'input', w->>'output',
                w->>'error', (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION,
                w->>'cacheKey', (w->>'cacheAge')::DOUBLE PRECISION);
    ELSIF w->>'op' = 'ckpt' THEN
        INSERT INTO atomiton_checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
            VALUES (run_seq_, w->>'kind', w->>'node', w->>'type', (w->>'idempotent')::BOOLEAN,
                w->>'value', w->>'sum')
            ON CONFLICT (run_seq, kind, node_id) DO UPDATE SET node_type = EXCLUDED.node_type,
                idempotent = EXCLUDED.idempotent, value = EXCLUDED.value, checksum = EXCLUDED.checksum;
        -- A node's end replaces its start.
        IF w->>'kind' = 'done' THEN
            DELETE FROM atomiton_checkpoints
                WHERE run_seq = run_seq_ AND kind = 'started' AND node_id = w->>'node';
        END IF;
    ELSIF w->>'op' = 'ended' THEN
        -- Only a running run ends (one marked crashed or interrupted by the process that found
        -- its worker lost stays so), or one taken for lost while its owner could not reach the
        -- server (`interrupted`, not taken over): its owner has the last word. Ended otherwise
        -- than interrupted, its checkpoints go.
        UPDATE atomiton_runs SET status = w->>'status', end_time = (w->>'end')::DOUBLE PRECISION,
                duration = (w->>'end')::DOUBLE PRECISION - start_time, error = w->>'error'
            WHERE seq = run_seq_ AND (status = 'running'
                OR (status = 'interrupted' AND NOT claimed AND owner = writer));
        IF FOUND AND w->>'status' <> 'interrupted' THEN
            DELETE FROM atomiton_checkpoints WHERE run_seq = run_seq_;
        END IF;
    END IF;
END $$;

DROP FUNCTION atomiton_write(TEXT, JSONB, BOOLEAN);

-- atomiton_write(owner, writer, batch number, batch, careful): as before (see migration 3), once
-- per batch number: a number the writer sent already answers -1 and changes nothing.
CREATE FUNCTION atomiton_write(owner_ TEXT, writer_ TEXT, number_ BIGINT, batch JSONB, careful BOOLEAN) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    w JSONB;
    dropped INTEGER := 0;
BEGIN
    INSERT INTO atomiton_writers (writer, owner, batch, seen) VALUES (writer_, owner_, number_, now())
        ON CONFLICT (writer) DO UPDATE SET batch = EXCLUDED.batch, seen = EXCLUDED.seen
        WHERE atomiton_writers.batch < EXCLUDED.batch;
    IF NOT FOUND THEN RETURN -1; END IF;
    IF NOT careful THEN
        FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
            PERFORM atomiton_write_one(owner_, w);
        END LOOP;
        RETURN 0;
    END IF;
    FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
        BEGIN
            PERFORM atomiton_write_one(owner_, w);
        EXCEPTION
            WHEN deadlock_detected OR serialization_failure THEN RAISE;
            WHEN OTHERS THEN dropped := dropped + 1;
        END;
    END LOOP;
    RETURN dropped;
END $$;
