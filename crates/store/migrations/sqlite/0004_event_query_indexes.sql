-- Events by type and by business step, in eventTime order: what `events_matching` reads.
-- Business steps are stored as the bare CBV word when they are CBV terms (in any spelling).
CREATE INDEX IF NOT EXISTS event_by_type ON event (event_type, event_time_us, seq);
CREATE INDEX IF NOT EXISTS event_by_biz_step ON event (biz_step, event_time_us, seq);
