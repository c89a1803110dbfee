-- Class check-in tokens and make-up sessions (version 25).
--
-- A class enrolment gets a signed check-in token as a booking does
-- (chorus.NewCheckinToken; only the nonce is kept): its QR code, on the
-- kiosk's done screen and the printed slip, is scanned at each session's
-- door. Enrolments made before this version keep NULL (their 6-digit code
-- still works).
ALTER TABLE enrolments ADD COLUMN token_nonce TEXT;
CREATE UNIQUE INDEX enrolments_token ON enrolments(token_nonce) WHERE token_nonce IS NOT NULL;

-- A make-up session (补课) is one staff added on a date of their choice,
-- not one of the term's weekly dates: laying the term out again keeps it.
ALTER TABLE class_sessions ADD COLUMN makeup INTEGER NOT NULL DEFAULT 0;
