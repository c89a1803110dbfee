-- Check-in tokens for class enrolments made before tokens, and kiosks in
-- check-in mode for a class (version 30).
--
-- Version 25 gave new class enrolments a signed check-in token (their QR
-- code) and left the older ones NULL, so those had no QR code to show or
-- print. Each gets its nonce now: 9 random bytes written as the 12
-- characters of base64url that chorus.CheckinToken signs (12 characters
-- of 6 bits each are exactly 9 bytes, so any 12 of the alphabet decode).
-- SQLite's random() is drawn per call from its generator seeded by the OS
-- (a token cannot be forged without the signing key whatever the nonce); a
-- clash with another nonce fails the unique index enrolments_token and the
-- migration, whose transaction is then rolled back and run again at the
-- next start (a chance of about n²/2^73).
UPDATE enrolments SET token_nonce =
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1) ||
	substr('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_', (random() & 63) + 1, 1)
WHERE token_nonce IS NULL
	AND programme_id IN (SELECT id FROM programmes WHERE kind = 'class');

-- A kiosk in check-in mode may be set to a term class instead of an event:
-- it checks typed codes and QR codes in at the class's session of the day.
-- (Classes are never deleted, only cancelled.)
ALTER TABLE kiosks ADD COLUMN mode_class_id INTEGER;
