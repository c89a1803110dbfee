// Package checkintest holds the browser tests of the staff check-in page
// (/staff/checkin): the real server over SQLite on a temp file, driven in
// headless Chromium. It has no code of its own.
package checkintest
