-- Migration 12: fires recorded `started` whose run no process has yet seen in the run history,
-- found by when they fired (a process that died between recording a fire and its run's first
-- record left one; another process runs it again). Confirmed ones move on to `running`.
CREATE INDEX atomiton_trigger_fires_started ON atomiton_trigger_fires (fired_at)
    WHERE status = 'started';
