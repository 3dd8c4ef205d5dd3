-- Read point, business location and disposition were kept in columns of their own as well as
-- in the body; no query reads them (read points and business locations are found through
-- event_identifier, dispositions in the body), and they cost about 90 bytes an event.
-- SQLite rewrites the table to drop a column: once, when a store of an earlier release opens.
ALTER TABLE event DROP COLUMN read_point;
ALTER TABLE event DROP COLUMN biz_location;
ALTER TABLE event DROP COLUMN disposition;
