-- Migration 7: `atomiton_write` applies a batch a kind of write at a time, each kind one
-- statement over the whole batch (definitions, runs, checkpoints, nodes, ends: the order a run's
-- writes come in), instead of a function call per write: the server's work per write was most
-- of what recording cost (docs/PERFORMANCE.md). Same rules as migration 4's: once per batch
-- number, nothing about a run another owner took over, an end only for a running run (or for
-- one taken for lost while its owner was away, by that owner). Of two writes of one kind about
-- the same thing in a batch, the one a sequence of single writes would leave stands: the last
-- begin (an amended one) and checkpoint, the first end. The careful path (a batch that failed,
-- sent again write by write) is migration 4's.
CREATE OR REPLACE FUNCTION atomiton_write(owner_ TEXT, writer_ TEXT, number_ BIGINT, batch JSONB, careful BOOLEAN) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    one JSONB;
    dropped INTEGER := 0;
BEGIN
    INSERT INTO atomiton_writers (writer, owner, batch, seen) VALUES (writer_, owner_, number_, now())
        ON CONFLICT (writer) DO UPDATE SET batch = EXCLUDED.batch, seen = EXCLUDED.seen
        WHERE atomiton_writers.batch < EXCLUDED.batch;
    IF NOT FOUND THEN RETURN -1; END IF;
    IF careful THEN
        FOR one IN SELECT value FROM jsonb_array_elements(batch) LOOP
            BEGIN
                PERFORM atomiton_write_one(owner_, one);
            EXCEPTION
                WHEN deadlock_detected OR serialization_failure THEN RAISE;
                WHEN OTHERS THEN dropped := dropped + 1;
            END;
        END LOOP;
        RETURN dropped;
    END IF;

    INSERT INTO atomiton_flows (hash, flow)
        SELECT DISTINCT ON (w->>'hash') w->>'hash', w->>'flow'
        FROM jsonb_array_elements(batch) AS e(w)
        WHERE w->>'op' = 'begin' AND jsonb_typeof(w->'flow') = 'string'
        ON CONFLICT (hash) DO NOTHING;

    -- A text that differs from the one stored under its hash (a crafted collision) is kept in
    -- the run's own row.
    INSERT INTO atomiton_runs (id, flow_id, flow_hash, status, start_time, end_time, duration,
            error, retry_of, owner, flow, input, variables, durable)
        SELECT DISTINCT ON (w->>'id') w->>'id', w->>'flowId', w->>'hash', w->>'status',
            (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION,
            (w->>'duration')::DOUBLE PRECISION, w->>'error', w->>'retryOf', w->>'owner',
            CASE WHEN jsonb_typeof(w->'flow') = 'string' AND f.flow IS DISTINCT FROM w->>'flow'
                THEN w->>'flow' ELSE '' END,
            w->>'input', w->>'variables', (w->>'durable')::BOOLEAN
        FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i)
            LEFT JOIN atomiton_flows f ON f.hash = w->>'hash'
        WHERE w->>'op' = 'begin'
        ORDER BY w->>'id', i DESC
        ON CONFLICT (id) DO UPDATE SET input = EXCLUDED.input, variables = EXCLUDED.variables
        WHERE NOT (atomiton_runs.claimed AND atomiton_runs.owner IS DISTINCT FROM owner_);

    INSERT INTO atomiton_checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
        SELECT DISTINCT ON (r.seq, w->>'kind', w->>'node') r.seq, w->>'kind', w->>'node',
            w->>'type', (w->>'idempotent')::BOOLEAN, w->>'value', w->>'sum'
        FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i)
            JOIN atomiton_runs r ON r.id = w->>'id' AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
        WHERE w->>'op' = 'ckpt'
        ORDER BY r.seq, w->>'kind', w->>'node', i DESC
        ON CONFLICT (run_seq, kind, node_id) DO UPDATE SET node_type = EXCLUDED.node_type,
            idempotent = EXCLUDED.idempotent, value = EXCLUDED.value, checksum = EXCLUDED.checksum;
    -- A node's end replaces its start.
    DELETE FROM atomiton_checkpoints c
        USING jsonb_array_elements(batch) AS e(w), atomiton_runs r
        WHERE w->>'op' = 'ckpt' AND w->>'kind' = 'done' AND r.id = w->>'id'
          AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
          AND c.run_seq = r.seq AND c.kind = 'started' AND c.node_id = w->>'node';

    INSERT INTO atomiton_nodes (run_seq, node_id, node_type, state, attempts, reused, reusable,
            input, output, error, start_time, end_time, cache_key, cache_age)
        SELECT r.seq, w->>'node', w->>'type', w->>'state', (w->>'attempts')::INTEGER,
            (w->>'reused')::BOOLEAN, (w->>'reusable')::BOOLEAN, w->>'input', w->>'output',
            w->>'error', (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION,
            w->>'cacheKey', (w->>'cacheAge')::DOUBLE PRECISION
        FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i)
            JOIN atomiton_runs r ON r.id = w->>'id' AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
        WHERE w->>'op' = 'node'
        ORDER BY i;

    -- Ended otherwise than interrupted, a run's checkpoints go.
    WITH ended AS (
        UPDATE atomiton_runs r SET status = e.w->>'status',
                end_time = (e.w->>'end')::DOUBLE PRECISION,
                duration = (e.w->>'end')::DOUBLE PRECISION - r.start_time, error = e.w->>'error'
            FROM (SELECT DISTINCT ON (w->>'id') w
                  FROM jsonb_array_elements(batch) WITH ORDINALITY AS x(w, i)
                  WHERE w->>'op' = 'ended' ORDER BY w->>'id', i) e
            WHERE r.id = e.w->>'id' AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
              AND (r.status = 'running'
                   OR (r.status = 'interrupted' AND NOT r.claimed AND r.owner = owner_))
            RETURNING r.seq, r.status)
    DELETE FROM atomiton_checkpoints c USING ended
        WHERE c.run_seq = ended.seq AND ended.status <> 'interrupted';
    RETURN 0;
END $$;
