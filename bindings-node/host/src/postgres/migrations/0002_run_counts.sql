-- Migration 2: how many runs each flow has in each status, kept by triggers: a page's total (and the dashboard's counts) without counting a million rows.
CREATE TABLE atomiton_run_counts (
    flow_id TEXT NOT NULL,
    status TEXT NOT NULL,
    runs BIGINT NOT NULL,
    PRIMARY KEY (flow_id, status)
);
CREATE FUNCTION atomiton_count_runs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE atomiton_run_counts SET runs = runs - 1
            WHERE flow_id = OLD.flow_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO atomiton_run_counts (flow_id, status, runs) VALUES (NEW.flow_id, NEW.status, 1)
            ON CONFLICT (flow_id, status) DO UPDATE SET runs = atomiton_run_counts.runs + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER atomiton_runs_counted AFTER INSERT OR DELETE ON atomiton_runs
    FOR EACH ROW EXECUTE FUNCTION atomiton_count_runs();
CREATE TRIGGER atomiton_runs_recounted AFTER UPDATE OF status, flow_id ON atomiton_runs
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.flow_id IS DISTINCT FROM NEW.flow_id)
    EXECUTE FUNCTION atomiton_count_runs();
INSERT INTO atomiton_run_counts (flow_id, status, runs)
    SELECT flow_id, status, COUNT(*) FROM atomiton_runs GROUP BY flow_id, status;
