-- SQLite's functions that the store's statements use, and the columns only
-- PostgreSQL has (the outbox's leases). Run at every Open (after the
-- migrations), so each statement can run again.

-- json_valid(text): whether the text is JSON.
CREATE OR REPLACE FUNCTION json_valid(doc text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
	PERFORM doc::jsonb;
	RETURN doc IS NOT NULL;
EXCEPTION WHEN others THEN
	RETURN false;
END $fn$;

-- json_extract(doc, '$."key"') or '$.key': one member of an object, as text.
CREATE OR REPLACE FUNCTION json_extract(doc text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
	SELECT doc::jsonb ->> trim(both '"' from substr(path, 3))
$fn$;

-- json_each(array): the elements of a JSON array, as rows (key, value).
CREATE OR REPLACE FUNCTION json_each(doc text) RETURNS TABLE (key bigint, value text) LANGUAGE sql IMMUTABLE AS $fn$
	SELECT ordinality - 1, elem FROM jsonb_array_elements_text(doc::jsonb) WITH ORDINALITY AS e(elem, ordinality)
$fn$;

-- json_group_array(x): the group's values as a JSON array (text).
CREATE OR REPLACE FUNCTION chorus_json_array_final(a text[]) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
	SELECT array_to_json(a)::text
$fn$;
CREATE OR REPLACE AGGREGATE json_group_array(text) (
	SFUNC = array_append, STYPE = text[], INITCOND = '{}', FINALFUNC = chorus_json_array_final
);

-- The outbox's leases (PostgreSQL only, pgoutbox.go): which instance has
-- claimed a due message, and until when.
ALTER TABLE messages ADD COLUMN IF NOT EXISTS lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN IF NOT EXISTS lease_until_ms BIGINT NOT NULL DEFAULT 0;

-- The outbox's claim (pgoutbox.go, pgClaim) walks the live messages in
-- order and looks up, for each, an older live message to the same phone
-- that another instance holds; without these, each lookup scanned every
-- live message (TestPostgresClaimWithBacklog).
CREATE INDEX IF NOT EXISTS messages_live ON messages(id) WHERE status IN ('queued','sending');
CREATE INDEX IF NOT EXISTS messages_live_phone ON messages(phone, id) WHERE status IN ('queued','sending');
