-- PostgreSQL's version of migrations/0030_class_tokens_kiosk_class.sql:
-- the same nonces for older class enrolments (12 base64url characters
-- drawn at random) and the kiosks' class mode. SQLite's random() & 63 has
-- no PostgreSQL spelling; floor(random() * 64) draws the same range.
UPDATE enrolments SET token_nonce =
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', CAST(floor(random() * 64) AS int4) + 1, 1)
WHERE token_nonce IS NULL
	AND programme_id IN (SELECT id FROM programmes WHERE kind = 'class');

-- A kiosk in check-in mode may be set to a term class instead of an event:
-- it checks typed codes and QR codes in at the class's session of the day.
-- (Classes are never deleted, only cancelled.)
ALTER TABLE kiosks ADD COLUMN mode_class_id INTEGER;
