-- Migration 13: runs begun in one batch are numbered (`seq`) in the order they began. Lists
-- order runs by start time, then by `seq`: runs begun in the same millisecond (a fan of runs
-- queued at once) then list in the order they began, as in every other store. Migration 8's
-- batch function inserted them in the order of their ids. It is patched in that one place, as
-- migration 9 patched it, so that it stays the function migration 8 documents.
DO $migration$
DECLARE
    definition TEXT := pg_get_functiondef('atomiton_write_sets(text, atomiton_begin[], atomiton_checkpoint[], atomiton_node_set[], atomiton_end[])'::regprocedure);
    patched TEXT := replace(definition,
        $$LEFT JOIN atomiton_flows f ON f.hash = b.flow_hash
$$,
        $$LEFT JOIN atomiton_flows f ON f.hash = b.flow_hash
                ORDER BY b.at
$$);
BEGIN
    IF patched = definition THEN
        RAISE EXCEPTION 'atomiton_write_sets is not the function migrations 8 and 9 made';
    END IF;
    EXECUTE patched;
END
$migration$;
