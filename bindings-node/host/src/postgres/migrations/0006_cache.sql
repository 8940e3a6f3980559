-- Migration 6: the node result cache a fleet shares (`PostgresCache`), as the Redis one keeps it:
-- each entry a row (`output` the codec JSON, NULL for `undefined`; `expires` NULL for never;
-- `used` orders entries by last use), and one row of totals and counts. Every change is one call
-- of a function below that first locks the totals row: the bounds hold across every process.
CREATE TABLE atomiton_cache (
    key TEXT PRIMARY KEY,
    output TEXT,
    created DOUBLE PRECISION NOT NULL,
    expires DOUBLE PRECISION,
    flow_id TEXT NOT NULL,
    node_path TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    used BIGINT NOT NULL
);
CREATE INDEX atomiton_cache_by_use ON atomiton_cache (used);
CREATE TABLE atomiton_cache_totals (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    entries BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    hits BIGINT NOT NULL DEFAULT 0,
    misses BIGINT NOT NULL DEFAULT 0,
    evictions BIGINT NOT NULL DEFAULT 0
);
INSERT INTO atomiton_cache_totals DEFAULT VALUES;
CREATE SEQUENCE atomiton_cache_tick;

-- Removes entry `key_`, keeping the totals; whether there was one.
CREATE FUNCTION atomiton_cache_remove(key_ TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
DECLARE
    gone BIGINT;
BEGIN
    DELETE FROM atomiton_cache WHERE key = key_ RETURNING bytes INTO gone;
    IF gone IS NULL THEN RETURN FALSE; END IF;
    UPDATE atomiton_cache_totals SET entries = entries - 1, bytes = bytes - gone;
    RETURN TRUE;
END $$;

-- The fresh entry under `key_` at `now_` (an expired one is removed); a hit makes it the most
-- recently used. Counts the hit or the miss.
CREATE FUNCTION atomiton_cache_get(key_ TEXT, now_ DOUBLE PRECISION)
RETURNS TABLE (output TEXT, created DOUBLE PRECISION, expires DOUBLE PRECISION, flow_id TEXT, node_path TEXT, bytes BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    found atomiton_cache%ROWTYPE;
BEGIN
    PERFORM 1 FROM atomiton_cache_totals FOR UPDATE;
    SELECT * INTO found FROM atomiton_cache c WHERE c.key = key_;
    IF found.key IS NULL OR (found.expires IS NOT NULL AND now_ >= found.expires) THEN
        IF found.key IS NOT NULL THEN PERFORM atomiton_cache_remove(key_); END IF;
        UPDATE atomiton_cache_totals SET misses = misses + 1;
        RETURN;
    END IF;
    UPDATE atomiton_cache c SET used = nextval('atomiton_cache_tick') WHERE c.key = key_;
    UPDATE atomiton_cache_totals SET hits = hits + 1;
    RETURN QUERY SELECT found.output, found.created, found.expires, found.flow_id, found.node_path, found.bytes;
END $$;

-- Stores an entry, replacing the one under its key, after removing the least recently used
-- entries until it fits both bounds; an entry larger than the byte bound is not kept. Answers how
-- many were evicted.
CREATE FUNCTION atomiton_cache_put(key_ TEXT, output_ TEXT, created_ DOUBLE PRECISION,
        expires_ DOUBLE PRECISION, flow_ TEXT, node_ TEXT, bytes_ BIGINT, max_entries BIGINT,
        max_bytes BIGINT) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    totals atomiton_cache_totals%ROWTYPE;
    oldest TEXT;
    evicted INTEGER := 0;
BEGIN
    IF bytes_ > max_bytes OR max_entries = 0 THEN RETURN 0; END IF;
    PERFORM 1 FROM atomiton_cache_totals FOR UPDATE;
    PERFORM atomiton_cache_remove(key_);
    LOOP
        SELECT * INTO totals FROM atomiton_cache_totals;
        EXIT WHEN totals.entries < max_entries AND totals.bytes + bytes_ <= max_bytes;
        SELECT key INTO oldest FROM atomiton_cache ORDER BY used LIMIT 1;
        EXIT WHEN oldest IS NULL;
        PERFORM atomiton_cache_remove(oldest);
        evicted := evicted + 1;
    END LOOP;
    INSERT INTO atomiton_cache (key, output, created, expires, flow_id, node_path, bytes, used)
        VALUES (key_, output_, created_, expires_, flow_, node_, bytes_, nextval('atomiton_cache_tick'));
    UPDATE atomiton_cache_totals SET entries = entries + 1, bytes = bytes + bytes_,
        evictions = evictions + evicted;
    RETURN evicted;
END $$;

-- Removes the entries of a flow, of a node (by its path or its own id, the path's last part), of
-- both, or every entry (both NULL); answers how many.
CREATE FUNCTION atomiton_cache_invalidate(flow_ TEXT, node_ TEXT) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    removed INTEGER := 0;
    doomed TEXT;
BEGIN
    PERFORM 1 FROM atomiton_cache_totals FOR UPDATE;
    FOR doomed IN SELECT key FROM atomiton_cache
        WHERE (flow_ IS NULL OR flow_id = flow_)
          AND (node_ IS NULL OR node_path = node_ OR regexp_replace(node_path, '^.*/', '') = node_)
    LOOP
        IF atomiton_cache_remove(doomed) THEN removed := removed + 1; END IF;
    END LOOP;
    RETURN removed;
END $$;
