-- Migration 9: runs parked at a wait node (status 'waiting') keep their checkpoints, as
-- interrupted runs do: they go on from them once woken. Migration 8's batch function is patched
-- in the two places that name the statuses whose checkpoints are kept (when a run ends, and for
-- a run begun and parked in one batch, inserted already ended), and nowhere else, so that it
-- stays the function that migration documents.
DO $migration$
DECLARE
    definition TEXT := pg_get_functiondef('atomiton_write_sets(text, atomiton_begin[], atomiton_checkpoint[], atomiton_node_set[], atomiton_end[])'::regprocedure);
    ends TEXT := replace(definition, $$ended.status <> 'interrupted'$$,
        $$ended.status NOT IN ('interrupted', 'waiting')$$);
    patched TEXT := replace(ends, $$r.status IN ('running', 'interrupted')$$,
        $$r.status IN ('running', 'interrupted', 'waiting')$$);
BEGIN
    IF ends = definition OR patched = ends THEN
        RAISE EXCEPTION 'atomiton_write_sets is not the function migration 8 made';
    END IF;
    EXECUTE patched;
END
$migration$;
