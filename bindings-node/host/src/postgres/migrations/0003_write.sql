-- atomiton_write(writer, batch): a batch of history writes applied in order, in one call (one
-- round trip, one transaction), as the Redis store's Lua script does. `batch` is a JSON array;
-- each write an object with `op`:
--   begin: id, flowId, hash, status, start, end, duration, error, retryOf, owner, durable, input,
--          variables, flow (the definition's text, or null when the writer knows the server
--          holds it under `hash`)
--   node: id, node, type, state, attempts, reused, reusable, input, output, error, start, end,
--         cacheKey, cacheAge
--   ckpt: id, kind (input, variables, started, done), node, type, idempotent, value, sum
--   ended: id, status, end, error
-- Writes about a run another owner took over (claimed, with another owner: `writer` lost it)
-- change nothing. A batch is applied whole, or (a write failed) not at all; the writer then sends
-- it again `careful`: each write in a block of its own, one that fails dropped and the others
-- standing (a block per write costs the server a subtransaction each, so only then). A deadlock
-- or a serialization failure fails the call either way, and the writer makes it again. Answers
-- how many writes were dropped.
CREATE FUNCTION atomiton_write_one(writer TEXT, w JSONB) RETURNS VOID LANGUAGE plpgsql AS $$
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
        -- its worker lost stays so); ended otherwise than interrupted, its checkpoints go.
        UPDATE atomiton_runs SET status = w->>'status', end_time = (w->>'end')::DOUBLE PRECISION,
                duration = (w->>'end')::DOUBLE PRECISION - start_time, error = w->>'error'
            WHERE seq = run_seq_ AND status = 'running';
        IF FOUND AND w->>'status' <> 'interrupted' THEN
            DELETE FROM atomiton_checkpoints WHERE run_seq = run_seq_;
        END IF;
    END IF;
END $$;

CREATE FUNCTION atomiton_write(writer TEXT, batch JSONB, careful BOOLEAN) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    w JSONB;
    dropped INTEGER := 0;
BEGIN
    IF NOT careful THEN
        FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
            PERFORM atomiton_write_one(writer, w);
        END LOOP;
        RETURN 0;
    END IF;
    FOR w IN SELECT value FROM jsonb_array_elements(batch) LOOP
        BEGIN
            PERFORM atomiton_write_one(writer, w);
        EXCEPTION
            WHEN deadlock_detected OR serialization_failure THEN RAISE;
            WHEN OTHERS THEN dropped := dropped + 1;
        END;
    END LOOP;
    RETURN dropped;
END $$;
