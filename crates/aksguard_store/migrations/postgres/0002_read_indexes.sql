-- Indexes for the read side: a target's runs newest first (history, fleet, previous run),
-- and the episodes open at a run (findings_at, diff), found from both ends of the episode.
CREATE INDEX runs_target_id ON runs (target_id, id);
CREATE INDEX findings_target_first_seen ON findings (target_id, first_seen_run);
CREATE INDEX findings_target_resolved ON findings (target_id, resolved_run);
