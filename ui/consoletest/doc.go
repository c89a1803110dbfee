// Package consoletest holds the browser tests of the staff console
// (ui.ConsoleRoutes): Chorus runs in-process on SQLite in a temporary
// directory, and Debian's Chromium, started through ui/internal/browsertest,
// drives the console and a kiosk page the way staff and a kiosk would. It
// has no code of its own; it is a package so that its tests share nothing
// with the kiosk page's tests in package ui.
package consoletest
