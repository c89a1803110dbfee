-- A counter that moves on with every change to what a kiosk's token is
-- answered with (the kiosk, its place's name, the title of the event it
-- checks in): the store remembers KioskByToken's answers and forgets them
-- when the counter has moved after a commit (sqlite/kioskcache.go), so that
-- a revocation ends a kiosk's access at once.
CREATE TABLE kiosk_version (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	n INTEGER NOT NULL
);
INSERT INTO kiosk_version (id, n) VALUES (1, 0);
CREATE TRIGGER kiosk_version_kiosk_insert AFTER INSERT ON kiosks BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_kiosk_update AFTER UPDATE ON kiosks BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_kiosk_delete AFTER DELETE ON kiosks BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_place_update AFTER UPDATE OF name ON places BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_place_delete AFTER DELETE ON places BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_event_update AFTER UPDATE OF title ON events BEGIN UPDATE kiosk_version SET n = n + 1; END;
CREATE TRIGGER kiosk_version_event_delete AFTER DELETE ON events BEGIN UPDATE kiosk_version SET n = n + 1; END;
