-- Check-in tokens for volunteers' signups (version 32).
--
-- A signup gets the nonce of a signed check-in token (chorus.CheckinToken,
-- the same key and form as bookings' and class enrolments' tokens), so a
-- volunteer checks in and out at a shift by its QR code (/c/<token>) as
-- by its 6-digit code. Older signups are given theirs lazily, when they
-- are signed up again or their token is asked for (SignupToken); until
-- then their code still works.
ALTER TABLE volunteer_signups ADD COLUMN token_nonce TEXT;
CREATE UNIQUE INDEX volunteer_signups_token ON volunteer_signups(token_nonce) WHERE token_nonce IS NOT NULL;
