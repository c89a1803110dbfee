-- Kiosk websocket tickets and verification proofs in the database (version 33).
--
-- A kiosk page fetches a ticket (POST /api/kiosk/ticket) and opens its
-- websocket with it; a kiosk that typed a phone's SMS code gets a proof it
-- sends with the requests that need one. Both used to live in one
-- instance's memory, so behind a round-robin proxy the next request, landing
-- on another instance, was refused. Kept here, every instance takes what
-- another issued. Only the token's SHA-256 is stored. kind is 'ticket'
-- (single use, taken by one DELETE … RETURNING) or 'proof' (good until it
-- expires); expired rows are swept whenever a token is issued.
CREATE TABLE kiosk_tokens (
    token_hash TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    kiosk_id   INTEGER NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    expires_ms INTEGER NOT NULL
);
CREATE INDEX kiosk_tokens_expires ON kiosk_tokens(expires_ms);

-- Which kiosks are connected, as the instance each is connected to last
-- wrote it (only with several instances on PostgreSQL): another instance
-- answering the console's 自助机 list shows them online too. A kiosk not
-- heard from within 30 s (kiosk.OfflineAfter) is offline; rows are
-- replaced, never deleted.
CREATE TABLE kiosk_presence (
    kiosk_id    INTEGER PRIMARY KEY,
    seen_ms     INTEGER NOT NULL,
    app_version TEXT NOT NULL DEFAULT '',
    screen      TEXT NOT NULL DEFAULT ''
);
