-- Indexes serve the store's queries; query indexes (by type, business step, read point,
-- business location) come back with the queries that use them. Read points and business
-- locations are found through event_identifier (roles readPoint and bizLocation).
-- Each of these cost about a tenth of a bulk capture's time (measured at 10^6 events).
DROP INDEX IF EXISTS event_by_type;
DROP INDEX IF EXISTS event_by_biz_step;
DROP INDEX IF EXISTS event_by_biz_location;
DROP INDEX IF EXISTS event_by_read_point;
