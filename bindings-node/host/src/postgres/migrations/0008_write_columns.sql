-- Migration 8: a batch sent as typed columns, a run's nodes kept a set at a time, and a batch's
-- counting done once per batch. Measured before it (docs/PERFORMANCE.md), most of what
-- recording a run cost was the server's work per byte and per row: parsing the batch's JSON
-- (about half), then an index entry, a foreign-key check and a row for each node, and a trigger
-- call for each change of a run's status. Now:
--   * a batch is four arrays of composite values (begins, checkpoints, node sets, ends), sent in
--     PostgreSQL's binary format: nothing to parse; values stay the JSON texts they were;
--   * the nodes of one run that one batch records are one row of `atomiton_node_sets` (a JSON
--     text: an array of nodes, each an array of the old table's columns in order);
--     `atomiton_nodes` is a view with the old table's columns, so queries written for it (the
--     Grafana panels, an operator's SQL) read the same;
--   * a run that begins and ends in one batch is inserted ended (one row written, not two);
--   * `atomiton_write` keeps `atomiton_run_counts` itself, a statement per batch; the count
--     triggers stay for every other change (a prune, a recovery, an operator's UPDATE) and skip
--     the rows it counts (it says so with the transaction-local setting `atomiton.counting`).
-- The rules stay migration 7's: once per batch number, nothing about a run another owner took
-- over, an end only for a running run (or for one taken for lost while its owner was away, by
-- that owner); of two begins of a run the last stands, of two ends the first. Checkpoints are
-- kept only for a run that may resume (running or interrupted).

-- No foreign key to the run: its check locks the run's row, which cost a fifth of recording a
-- run; a statement's deleted runs take their node sets with them (the trigger below) instead.
CREATE TABLE atomiton_node_sets (
    run_seq BIGINT NOT NULL,
    set_seq BIGSERIAL NOT NULL,
    -- Written by atomiton_write only, from JSON the conductor made: kept as text, not parsed.
    nodes TEXT NOT NULL,
    PRIMARY KEY (run_seq, set_seq)
);
CREATE FUNCTION atomiton_forget_node_sets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM atomiton_node_sets s USING gone WHERE s.run_seq = gone.seq;
    RETURN NULL;
END $$;
CREATE TRIGGER atomiton_runs_forgotten AFTER DELETE ON atomiton_runs
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION atomiton_forget_node_sets();
ALTER TABLE atomiton_nodes RENAME TO atomiton_nodes_before;
INSERT INTO atomiton_node_sets (run_seq, nodes)
    SELECT run_seq, json_agg(json_build_array(node_id, node_type, state, attempts, reused,
            reusable, input, output, error, start_time, end_time, cache_key, cache_age)
            ORDER BY row_seq)::TEXT
    FROM atomiton_nodes_before GROUP BY run_seq ORDER BY min(row_seq);
-- `row_seq` orders a run's nodes as the old table's did (processes of the version before read
-- by it while a fleet is upgraded).
CREATE VIEW atomiton_nodes AS
    SELECT s.run_seq, s.set_seq, n.at, s.set_seq::NUMERIC * 4294967296 + n.at AS row_seq,
        n.node->>0 AS node_id, n.node->>1 AS node_type,
        n.node->>2 AS state, (n.node->>3)::INTEGER AS attempts, (n.node->>4)::BOOLEAN AS reused,
        (n.node->>5)::BOOLEAN AS reusable, n.node->>6 AS input, n.node->>7 AS output,
        n.node->>8 AS error, (n.node->>9)::DOUBLE PRECISION AS start_time,
        (n.node->>10)::DOUBLE PRECISION AS end_time, n.node->>11 AS cache_key,
        (n.node->>12)::DOUBLE PRECISION AS cache_age
    FROM atomiton_node_sets s, json_array_elements(s.nodes::JSON) WITH ORDINALITY AS n(node, at);
-- Whoever could read the table (a Grafana role, an operator's) reads the view.
DO $$
DECLARE
    grant_ RECORD;
BEGIN
    FOR grant_ IN
        SELECT DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(a.grantee::REGROLE::TEXT) END AS who
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'atomiton_nodes_before'::REGCLASS AND a.privilege_type = 'SELECT'
    LOOP
        EXECUTE 'GRANT SELECT ON atomiton_nodes TO ' || grant_.who;
    END LOOP;
END $$;
DROP TABLE atomiton_nodes_before;

DROP TRIGGER atomiton_runs_counted ON atomiton_runs;
DROP TRIGGER atomiton_runs_recounted ON atomiton_runs;
CREATE TRIGGER atomiton_runs_counted AFTER INSERT OR DELETE ON atomiton_runs
    FOR EACH ROW WHEN (current_setting('atomiton.counting', TRUE) IS DISTINCT FROM 'batch')
    EXECUTE FUNCTION atomiton_count_runs();
CREATE TRIGGER atomiton_runs_recounted AFTER UPDATE OF status, flow_id ON atomiton_runs
    FOR EACH ROW WHEN ((OLD.status IS DISTINCT FROM NEW.status OR OLD.flow_id IS DISTINCT FROM NEW.flow_id)
        AND current_setting('atomiton.counting', TRUE) IS DISTINCT FROM 'batch')
    EXECUTE FUNCTION atomiton_count_runs();

-- A batch's writes, by kind; `at` is a write's place in the batch. `flow` is the definition's
-- text when it is sent whole, null when the server has it under `flow_hash` already.
CREATE TYPE atomiton_begin AS (at INTEGER, id TEXT, flow_id TEXT, flow_hash TEXT, status TEXT,
    start_time DOUBLE PRECISION, end_time DOUBLE PRECISION, duration DOUBLE PRECISION,
    error TEXT, retry_of TEXT, owner TEXT, durable BOOLEAN, input TEXT, variables TEXT, flow TEXT);
CREATE TYPE atomiton_checkpoint AS (at INTEGER, id TEXT, kind TEXT, node_id TEXT,
    node_type TEXT, idempotent BOOLEAN, value TEXT, checksum TEXT);
CREATE TYPE atomiton_node_set AS (at INTEGER, id TEXT, nodes TEXT);
CREATE TYPE atomiton_end AS (at INTEGER, id TEXT, status TEXT, end_time DOUBLE PRECISION, error TEXT);

DROP FUNCTION atomiton_write(TEXT, TEXT, BIGINT, JSONB, BOOLEAN);
DROP FUNCTION atomiton_write_one(TEXT, JSONB);

-- A change to how many runs a flow has in a status (`atomiton_write_sets` gathers them).
CREATE TYPE atomiton_count_change AS (flow_id TEXT, status TEXT, runs BIGINT);

-- Applies writes as a sequence of them would, a kind at a time (begins, checkpoints, nodes,
-- ends: the order a run's writes come in), each kind one statement. The counts change once, at
-- the end, in the order of their keys: two writers' batches lock them in the same order.
CREATE FUNCTION atomiton_write_sets(owner_ TEXT, begins atomiton_begin[],
        checkpoints atomiton_checkpoint[], node_sets atomiton_node_set[], ends atomiton_end[])
    RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    begun_changes atomiton_count_change[] := '{}';
    ended_changes atomiton_count_change[] := '{}';
BEGIN
    IF cardinality(begins) > 0 THEN
        INSERT INTO atomiton_flows (hash, flow)
            SELECT DISTINCT ON (flow_hash) flow_hash, flow FROM unnest(begins)
            WHERE flow IS NOT NULL
            ON CONFLICT (hash) DO NOTHING;
        -- A text that differs from the one stored under its hash (a crafted collision) is kept
        -- in the run's own row. A run that begins running and ends later in the batch is
        -- inserted ended.
        WITH begun AS (
            SELECT DISTINCT ON (id) * FROM unnest(begins) ORDER BY id, at DESC
        ), first_end AS (
            SELECT DISTINCT ON (id) * FROM unnest(ends) ORDER BY id, at
        ), inserted AS (
            INSERT INTO atomiton_runs AS r (id, flow_id, flow_hash, status, start_time,
                    end_time, duration, error, retry_of, owner, flow, input, variables, durable)
                SELECT b.id, b.flow_id, b.flow_hash, COALESCE(e.status, b.status), b.start_time,
                    CASE WHEN e.id IS NULL THEN b.end_time ELSE e.end_time END,
                    CASE WHEN e.id IS NULL THEN b.duration ELSE e.end_time - b.start_time END,
                    CASE WHEN e.id IS NULL THEN b.error ELSE e.error END,
                    b.retry_of, b.owner,
                    CASE WHEN b.flow IS NOT NULL AND f.flow IS DISTINCT FROM b.flow
                        THEN b.flow ELSE '' END,
                    b.input, b.variables, b.durable
                FROM begun b
                    LEFT JOIN first_end e ON e.id = b.id AND e.at > b.at AND b.status = 'running'
                    LEFT JOIN atomiton_flows f ON f.hash = b.flow_hash
                ON CONFLICT (id) DO UPDATE SET input = EXCLUDED.input, variables = EXCLUDED.variables
                WHERE NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
                RETURNING r.flow_id, r.status, r.xmax = 0 AS fresh
        )
        SELECT COALESCE(array_agg(ROW(flow_id, status, 1)::atomiton_count_change), '{}')
            INTO begun_changes FROM inserted WHERE fresh;
    END IF;

    IF cardinality(checkpoints) > 0 THEN
        INSERT INTO atomiton_checkpoints (run_seq, kind, node_id, node_type, idempotent, value, checksum)
            SELECT DISTINCT ON (r.seq, w.kind, w.node_id) r.seq, w.kind, w.node_id, w.node_type,
                w.idempotent, w.value, w.checksum
            FROM unnest(checkpoints) w
                JOIN atomiton_runs r ON r.id = w.id
                    AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
                    AND r.status IN ('running', 'interrupted')
            ORDER BY r.seq, w.kind, w.node_id, w.at DESC
            ON CONFLICT (run_seq, kind, node_id) DO UPDATE SET node_type = EXCLUDED.node_type,
                idempotent = EXCLUDED.idempotent, value = EXCLUDED.value, checksum = EXCLUDED.checksum;
        -- A node's end replaces its start.
        DELETE FROM atomiton_checkpoints c
            USING unnest(checkpoints) w, atomiton_runs r
            WHERE w.kind = 'done' AND r.id = w.id
              AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
              AND c.run_seq = r.seq AND c.kind = 'started' AND c.node_id = w.node_id;
    END IF;

    IF cardinality(node_sets) > 0 THEN
        INSERT INTO atomiton_node_sets (run_seq, nodes)
            SELECT r.seq, w.nodes
            FROM unnest(node_sets) w
                JOIN atomiton_runs r ON r.id = w.id
                    AND NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
            ORDER BY w.at;
    END IF;

    IF cardinality(ends) > 0 THEN
        -- The runs to end, locked first: a run another process changed meanwhile (took it for
        -- lost, claimed it) is read as it is now, and left alone if it no longer qualifies.
        -- Ended otherwise than interrupted, a run's checkpoints go.
        WITH first_end AS (
            SELECT DISTINCT ON (id) * FROM unnest(ends) ORDER BY id, at
        ), endable AS (
            SELECT r.seq, r.status AS was, e.status, e.end_time, e.error
            FROM atomiton_runs r JOIN first_end e ON r.id = e.id
            WHERE NOT (r.claimed AND r.owner IS DISTINCT FROM owner_)
              AND (r.status = 'running'
                   OR (r.status = 'interrupted' AND NOT r.claimed AND r.owner = owner_))
            ORDER BY r.seq
            FOR UPDATE OF r
        ), ended AS (
            UPDATE atomiton_runs r SET status = x.status, end_time = x.end_time,
                    duration = x.end_time - r.start_time, error = x.error
                FROM endable x
                WHERE r.seq = x.seq
                RETURNING r.seq, r.flow_id, r.status, x.was
        ), gone AS (
            DELETE FROM atomiton_checkpoints c USING ended
                WHERE c.run_seq = ended.seq AND ended.status <> 'interrupted'
        )
        SELECT COALESCE(array_agg(change), '{}') INTO ended_changes FROM (
            SELECT ROW(flow_id, status, 1)::atomiton_count_change AS change FROM ended
            UNION ALL SELECT ROW(flow_id, was, -1)::atomiton_count_change FROM ended) changes;
    END IF;

    INSERT INTO atomiton_run_counts AS c (flow_id, status, runs)
        SELECT flow_id, status, SUM(runs) FROM unnest(begun_changes || ended_changes)
        GROUP BY flow_id, status HAVING SUM(runs) <> 0
        ORDER BY flow_id, status
        ON CONFLICT (flow_id, status) DO UPDATE SET runs = c.runs + EXCLUDED.runs;
END $$;

-- atomiton_write(owner, writer, batch number, begins, checkpoints, node sets, ends, careful):
-- once per batch number of each writer (a number it sent already answers -1 and changes
-- nothing); whole, or (`careful`, after a batch failed whole) a write at a time in the batch's
-- order, each on its own: a write the server refuses is dropped and counted in the answer.
CREATE FUNCTION atomiton_write(owner_ TEXT, writer_ TEXT, number_ BIGINT, begins atomiton_begin[],
        checkpoints atomiton_checkpoint[], node_sets atomiton_node_set[], ends atomiton_end[],
        careful BOOLEAN)
    RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    one RECORD;
    dropped INTEGER := 0;
BEGIN
    INSERT INTO atomiton_writers (writer, owner, batch, seen) VALUES (writer_, owner_, number_, now())
        ON CONFLICT (writer) DO UPDATE SET batch = EXCLUDED.batch, seen = EXCLUDED.seen
        WHERE atomiton_writers.batch < EXCLUDED.batch;
    IF NOT FOUND THEN RETURN -1; END IF;
    -- The count triggers skip this transaction's rows: atomiton_write_sets counts them.
    PERFORM set_config('atomiton.counting', 'batch', TRUE);
    IF NOT careful THEN
        PERFORM atomiton_write_sets(owner_, begins, checkpoints, node_sets, ends);
    ELSE
        FOR one IN
            SELECT at, 'b' AS kind, n FROM unnest(begins) WITH ORDINALITY AS w(at, id, flow_id,
                flow_hash, status, start_time, end_time, duration, error, retry_of, owner,
                durable, input, variables, flow, n)
            UNION ALL SELECT at, 'c', n FROM unnest(checkpoints) WITH ORDINALITY AS w(at, id,
                kind, node_id, node_type, idempotent, value, checksum, n)
            UNION ALL SELECT at, 'n', n FROM unnest(node_sets) WITH ORDINALITY AS w(at, id, nodes, n)
            UNION ALL SELECT at, 'e', n FROM unnest(ends) WITH ORDINALITY AS w(at, id, status,
                end_time, error, n)
            ORDER BY 1, 2, 3
        LOOP
            BEGIN
                PERFORM atomiton_write_sets(owner_,
                    CASE one.kind WHEN 'b' THEN begins[one.n:one.n] ELSE '{}' END,
                    CASE one.kind WHEN 'c' THEN checkpoints[one.n:one.n] ELSE '{}' END,
                    CASE one.kind WHEN 'n' THEN node_sets[one.n:one.n] ELSE '{}' END,
                    CASE one.kind WHEN 'e' THEN ends[one.n:one.n] ELSE '{}' END);
            EXCEPTION
                WHEN deadlock_detected OR serialization_failure THEN RAISE;
                WHEN OTHERS THEN dropped := dropped + 1;
            END;
        END LOOP;
    END IF;
    PERFORM set_config('atomiton.counting', '', TRUE);
    RETURN dropped;
END $$;

-- The JSON batch of migrations 4 and 7, as processes of the version before this one still send
-- it while a fleet is upgraded one process at a time: the same writes, turned into columns.
CREATE FUNCTION atomiton_write(owner_ TEXT, writer_ TEXT, number_ BIGINT, batch JSONB, careful BOOLEAN)
    RETURNS INTEGER LANGUAGE sql AS $$
    SELECT atomiton_write(owner_, writer_, number_,
        ARRAY(SELECT ROW(i, w->>'id', w->>'flowId', w->>'hash', w->>'status',
                (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION,
                (w->>'duration')::DOUBLE PRECISION, w->>'error', w->>'retryOf', w->>'owner',
                (w->>'durable')::BOOLEAN, w->>'input', w->>'variables',
                CASE WHEN jsonb_typeof(w->'flow') = 'string' THEN w->>'flow' END)::atomiton_begin
            FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i) WHERE w->>'op' = 'begin'),
        ARRAY(SELECT ROW(i, w->>'id', w->>'kind', w->>'node', w->>'type',
                (w->>'idempotent')::BOOLEAN, w->>'value', w->>'sum')::atomiton_checkpoint
            FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i) WHERE w->>'op' = 'ckpt'),
        ARRAY(SELECT ROW(i, w->>'id', json_build_array(json_build_array(w->>'node', w->>'type',
                w->>'state', (w->>'attempts')::INTEGER, (w->>'reused')::BOOLEAN,
                (w->>'reusable')::BOOLEAN, w->>'input', w->>'output', w->>'error',
                (w->>'start')::DOUBLE PRECISION, (w->>'end')::DOUBLE PRECISION, w->>'cacheKey',
                (w->>'cacheAge')::DOUBLE PRECISION))::TEXT)::atomiton_node_set
            FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i) WHERE w->>'op' = 'node'),
        ARRAY(SELECT ROW(i, w->>'id', w->>'status', (w->>'end')::DOUBLE PRECISION,
                w->>'error')::atomiton_end
            FROM jsonb_array_elements(batch) WITH ORDINALITY AS e(w, i) WHERE w->>'op' = 'ended'),
        careful)
$$;
