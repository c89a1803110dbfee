package server

import (
	"net/http"

	"github.com/chorus-community/chorus"
)

// Guard says who may call a route.
type Guard string

// Guards.
const (
	// GuardPublic routes are open to anyone; the handler checks what it
	// needs itself (a pairing code, the push secret, a signed token).
	GuardPublic Guard = "public"
	// GuardKiosk routes are the residents' (resident routes): a paired
	// kiosk's token or a staff session.
	GuardKiosk Guard = "kiosk-or-staff"
	// GuardStaff routes need a staff session.
	GuardStaff Guard = "staff"
	// GuardAdmin routes need an admin's session.
	GuardAdmin Guard = "admin"
	// GuardDistrict routes need a district admin's session (街道管理员,
	// chorus.Staff.District).
	GuardDistrict Guard = "district"
	// GuardStaffPage routes are HTML pages for staff: a staff session, and
	// errors shown as a page rather than JSON.
	GuardStaffPage Guard = "staff-page"
	// GuardPage routes are the embedded pages and their assets (package
	// ui): public, served as they are; a page shows its own sign-in, and
	// every API call it makes carries its own guard.
	GuardPage Guard = "page"
)

// Parts of the server that are optional: their routes are registered only
// when the part is configured.
const (
	partSMS    = "sms"    // Server.SMS: Alibaba's pushes and the reply inbox
	partVoice  = "voice"  // Server.Voice: the voice pushes and the calls for staff
	partKiosks = "kiosks" // Server.Kiosks and Server.Hub: the kiosk fleet
	partVenues = "venues" // Server.Venues: partners' venues and requests to use them
	// partVolunteers is Server.Volunteers: volunteers and their activities.
	partVolunteers = "volunteers"
	partBank       = "bank" // Server.Bank: the time bank's ledger, rules and help requests
)

// Route is one entry of the server's route table.
type Route struct {
	// Pattern is the ServeMux pattern, with its method: "POST /api/bookings".
	Pattern string
	// Guard says who may call it.
	Guard Guard
	// Part is the optional part it belongs to ("sms", "kiosks"), or "" when
	// it is always there.
	Part string

	handle handlerFunc      // the handler, wrapped as its guard says
	plain  http.HandlerFunc // a plain handler (probes, redirects), not wrapped
}

// PageRoute is a route of another package's pages (the kiosk page, the
// console, the door page and their assets) for Server.Pages: public and
// served by h as it is.
func PageRoute(pattern string, h http.HandlerFunc) Route {
	return Route{Pattern: pattern, Guard: GuardPage, plain: h}
}

// Mount registers routes that need no server (PageRoute's) on mux: for
// tests that serve the pages alone.
func Mount(mux *http.ServeMux, routes []Route) {
	for _, rt := range routes {
		if rt.plain == nil {
			panic("server.Mount: " + rt.Pattern + " needs the server")
		}
		mux.Handle(rt.Pattern, rt.plain)
	}
}

// Routes returns the server's route table: every route Handler may
// register, whether or not its part is configured, the pages (Pages) last.
func (s *Server) Routes() []Route {
	pub := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardPublic, handle: fn} }
	plain := func(p string, fn http.HandlerFunc) Route { return Route{Pattern: p, Guard: GuardPublic, plain: fn} }
	kiosk := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardKiosk, handle: fn} }
	staff := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardStaff, handle: fn} }
	admin := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardAdmin, handle: fn} }
	page := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardStaffPage, handle: fn} }
	district := func(p string, fn handlerFunc) Route { return Route{Pattern: p, Guard: GuardDistrict, handle: fn} }
	part := func(name string, rs ...Route) []Route {
		for i := range rs {
			rs[i].Part = name
		}
		return rs
	}
	routes := []Route{
		// Probes and staff sign-in.
		plain("GET /healthz", s.healthz),
		plain("GET /readyz", s.readyz),
		pub("POST /api/login", s.login),
		pub("POST /api/logout", s.logout),
		pub("GET /api/me", s.me),
		staff("POST /api/me/community", s.switchCommunity),
		admin("GET /api/admin/staff", s.listStaff),
		admin("POST /api/admin/staff", s.createStaff),
		admin("PUT /api/admin/staff/{id}", s.updateStaff),
		admin("DELETE /api/admin/staff/{id}/community", s.leaveCommunity),
		admin("GET /api/admin/audit", s.auditLog),
		admin("GET /api/admin/throttles", s.listThrottles),
		admin("POST /api/admin/throttles/lift", s.liftThrottle),
		staff("GET /api/admin/status", s.status),

		// What anyone may read.
		pub("GET /api/community", s.getCommunity),
		pub("GET /api/places", s.listPlaces),
		pub("GET /api/estates", s.listEstates),
		pub("GET /api/events", s.listEvents),
		pub("GET /api/events/{id}", s.getEvent),
		pub("GET /api/programmes", s.listProgrammes),
		pub("GET /api/programmes/{id}", s.getProgramme),
		pub("GET /api/classes", s.listClasses),
		pub("GET /qr/{file}", s.getQR),
		plain("GET /c/{token}", s.checkinLink),

		// Residents, at a kiosk or through staff.
		kiosk("POST /api/bookings", s.createBooking),
		kiosk("GET /api/bookings", s.lookupBookings),
		kiosk("POST /api/bookings/{id}/cancel", s.cancelBooking),
		kiosk("GET /api/names", s.knownNames),
		kiosk("GET /api/address", s.addressOnFile),
		kiosk("POST /api/haircuts", s.createHaircut),
		kiosk("GET /api/orders", s.lookupOrders),
		kiosk("POST /api/orders/{id}/cancel", s.cancelResidentOrder),
		kiosk("POST /api/verify", s.sendVerification),
		kiosk("POST /api/verify/check", s.checkVerification),
		kiosk("POST /api/enrolments", s.createEnrolment),
		kiosk("POST /api/bookings/{id}/move", s.moveOwnBooking),
		kiosk("POST /api/haircuts/{id}/day", s.changeHaircutDay),
		kiosk("GET /api/sms", s.requestSMS),
		kiosk("GET /api/kiosk/speech", s.speechInfo),
		kiosk("POST /api/kiosk/speech", s.speak),
		kiosk("GET /api/enrolments", s.lookupEnrolments),
		kiosk("POST /api/enrolments/{id}/cancel", s.cancelEnrolment),
		kiosk("POST /api/class-enrolments", s.createClassEnrolment),

		// The directory.
		admin("POST /api/admin/places", s.savePlace),
		admin("PUT /api/admin/places/{id}", s.savePlace),
		admin("POST /api/admin/estates", s.saveEstate),
		admin("PUT /api/admin/estates/{id}", s.saveEstate),
		staff("GET /api/admin/partners", s.listPartners),
		admin("POST /api/admin/partners", s.savePartner),
		admin("PUT /api/admin/partners/{id}", s.savePartner),
		admin("POST /api/admin/partners/link", s.linkPartner),
		staff("GET /api/admin/residents/{phone}", s.getResident),
		staff("PUT /api/admin/residents/{phone}", s.saveResident),
		staff("PUT /api/admin/residents/{phone}/optout", s.setOptOut),

		// Events, bookings and check-in.
		staff("GET /api/admin/live", s.liveStream),
		staff("GET /api/admin/events", s.adminEvents),
		staff("POST /api/admin/events", s.createEvent),
		staff("PUT /api/admin/events/{id}", s.updateEvent),
		staff("POST /api/admin/events/{id}/cancel", s.cancelEvent),
		staff("GET /api/admin/events/{id}/bookings", s.eventBookings),
		staff("POST /api/admin/bookings", s.staffBooking),
		staff("GET /api/admin/bookings/{id}", s.getBooking),
		staff("POST /api/admin/bookings/{id}/transition", s.transitionBooking),
		staff("POST /api/admin/bookings/{id}/move", s.moveBooking),
		staff("POST /api/admin/checkins", s.checkin),
		staff("GET /api/admin/events/{id}/attendance", s.attendance),
		staff("GET /api/admin/events/{id}/attendance/stream", s.attendanceStream),
		staff("GET /api/admin/events/{id}/search", s.searchBookings),
		staff("GET /api/admin/events/{id}/bookings.csv", s.bookingsCSV),
		staff("GET /api/admin/events/{id}/attendance.csv", s.attendanceCSV),
		page("GET /staff/events/{id}/signin", s.signinSheet),

		// Programmes (托管) and enrolments.
		staff("GET /api/admin/programmes", s.adminProgrammes),
		staff("POST /api/admin/programmes", s.createProgramme),
		staff("POST /api/admin/programmes/{id}/cancel", s.cancelProgramme),
		staff("PUT /api/admin/programmes/{id}", s.updateProgramme),
		staff("GET /api/admin/programmes/{id}/enrolments", s.programmeEnrolments),
		staff("POST /api/admin/enrolments", s.staffEnrolment),
		staff("POST /api/admin/enrolments/{id}/cancel", s.staffCancelEnrolment),
		staff("POST /api/admin/enrolments/{id}/confirm", s.confirmEnrolment),

		// The deployment-wide holiday calendar (法定节假日, 调休上班).
		staff("GET /api/admin/holidays", s.listHolidays),
		admin("POST /api/admin/holidays", s.importHolidays),
		admin("PUT /api/admin/holidays/{date}", s.saveHoliday),
		admin("DELETE /api/admin/holidays/{date}", s.deleteHoliday),
		// Term classes (公益培训) and their sessions.
		staff("GET /api/admin/classes", s.adminClasses),
		staff("POST /api/admin/classes", s.createClass),
		staff("GET /api/admin/classes/{id}", s.getClass),
		staff("PUT /api/admin/classes/{id}", s.updateClass),
		staff("POST /api/admin/classes/{id}/cancel-session", s.cancelClassSession),
		staff("POST /api/admin/classes/{id}/sessions", s.addMakeupSession),
		staff("GET /api/admin/classes/{id}/enrolments", s.classEnrolments),
		staff("POST /api/admin/classes/{id}/enrolments", s.staffClassEnrolment),
		staff("GET /api/admin/classes/{id}/attendance", s.sessionRoster),
		staff("POST /api/admin/classes/{id}/attendance", s.markAttendance),
		staff("POST /api/admin/classes/{id}/checkin", s.classCheckin),
		staff("GET /api/admin/classes/{id}/search", s.searchClassRoster),
		staff("GET /api/admin/classes/{id}/attendance.csv", s.classAttendanceCSV),

		// Home-service orders and partners.
		staff("GET /api/admin/orders", s.listOrders),
		staff("POST /api/admin/orders", s.createOrder),
		staff("GET /api/admin/partners/stats", s.partnerStats),
		staff("GET /api/admin/orders/{id}", s.getOrder),
		staff("POST /api/admin/orders/{id}/cancel", s.cancelOrder),
		staff("POST /api/admin/orders/{id}/answer", s.partnerAnswer),
		staff("POST /api/admin/orders/{id}/confirm", s.confirmOrder),

		// SMS sent.
		staff("GET /api/admin/messages", s.listMessages),
		staff("POST /api/admin/messages/{id}/resend", s.resendMessage),

		// The district (街道): its communities and every community's figures.
		district("GET /api/district/figures", s.districtFigures),
		district("GET /api/district/partners", s.districtPartners),
		district("GET /api/district/communities", s.listCommunities),
		district("POST /api/district/communities", s.addCommunity),
		district("PUT /api/district/communities/{id}", s.setCommunity),

		// Anything else under /api/ is a JSON 404, not the UI's page.
		pub("/api/", s.noSuchAPI),
	}
	routes = append(routes, part(partSMS,
		pub("POST /sms/push/{secret}/report", s.smsReport),
		pub("POST /sms/push/{secret}/up", s.smsUp),
		staff("GET /api/admin/inbox", s.listInbox),
		staff("POST /api/admin/inbox/{id}/settle", s.settleInbound),
		kiosk("POST /api/bookings/{id}/resend-code", s.resendCode),
	)...)
	routes = append(routes, part(partVoice,
		pub("POST /voice/push/{secret}/events", s.voiceEvents),
		pub("POST /voice/push/{secret}/reports", s.voiceReports),
		staff("GET /api/admin/calls", s.listCalls),
		kiosk("POST /api/residents/channel", s.setOwnChannel),
	)...)
	routes = append(routes, part(partKiosks,
		pub("POST /api/kiosk/pair", s.pairKiosk),
		pub("POST /api/kiosk/ticket", s.kioskTicket),
		pub("GET /api/kiosk/me", s.kioskMe),
		pub("GET /kiosk/ws", s.kioskSocket),
		pub("POST /api/kiosk/checkin", s.kioskCheckin),
		staff("GET /api/admin/kiosks", s.listKiosks),
		admin("POST /api/admin/kiosks", s.createKiosk),
		admin("PUT /api/admin/kiosks/{id}", s.renameKiosk),
		admin("POST /api/admin/kiosks/{id}/pairing", s.newPairingCode),
		admin("POST /api/admin/kiosks/{id}/revoke", s.revokeKiosk),
		staff("PUT /api/admin/kiosks/{id}/mode", s.setKioskMode),
		staff("PUT /api/admin/kiosks/{id}/settings", s.setKioskSettings),
		staff("POST /api/admin/kiosks/{id}/reload", s.reloadKiosk),
		staff("GET /api/admin/announcements", s.listAnnouncements),
		staff("POST /api/admin/announcements", s.createAnnouncement),
	)...)
	routes = append(routes, part(partVenues,
		staff("GET /api/admin/venues", s.listVenues),
		admin("PUT /api/admin/venues/{id}", s.saveVenue),
		admin("POST /api/admin/venues/{id}/closures", s.addClosure),
		admin("DELETE /api/admin/venues/closures/{id}", s.deleteClosure),
		staff("GET /api/admin/venue-requests", s.listVenueRequests),
		staff("POST /api/admin/venue-requests/{id}/answer", s.answerVenueRequest),
	)...)
	routes = append(routes, part(partVolunteers, s.volunteerRoutes(staff, kiosk, page)...)...)
	routes = append(routes, part(partBank, // the time bank (bank.go)
		kiosk("GET /api/help-services", s.helpServices),
		kiosk("POST /api/help-requests", s.askHelp),
		staff("GET /api/admin/help-requests", s.listHelpRequests),
		staff("POST /api/admin/help-requests/{id}/complete", s.completeHelp),
		staff("POST /api/admin/help-requests/{id}/confirm", s.confirmHelp),
		staff("POST /api/admin/help-requests/{id}/approve", s.approveHelp),
		staff("POST /api/admin/help-requests/{id}/cancel", s.cancelHelp),
		staff("GET /api/admin/bank/accounts", s.listBankAccounts),
		staff("GET /api/admin/bank/accounts/{id}", s.getBankAccount),
		staff("POST /api/admin/bank/accounts/{id}/code", s.sendBankCode),
		staff("POST /api/admin/bank/transfers/{id}/reverse", s.reverseTransfer),
		staff("POST /api/admin/bank/gifts", s.giveHours),
		staff("POST /api/admin/bank/grants", s.grantHours),
		staff("GET /api/admin/bank/rules", s.getBankRules),
		admin("PUT /api/admin/bank/rules", s.saveBankRules),
		staff("PUT /api/admin/residents/{phone}/birth-year", s.setBirthYear),
	)...)
	return append(routes, s.Pages...)
}

// has reports whether the optional part is configured.
func (s *Server) has(part string) bool {
	switch part {
	case partSMS:
		return s.SMS != nil
	case partVoice:
		return s.Voice != nil
	case partKiosks:
		return s.Kiosks != nil && s.Hub != nil
	case partVenues:
		return s.Venues != nil
	case partVolunteers:
		return s.Volunteers != nil
	case partBank:
		return s.Bank != nil
	}
	return true
}

// handler returns rt's handler behind its guard. Every guard puts the
// caller's chorus.Scope in the request's context, which the store reads:
// a staff session's community (and district), a kiosk's community, or for
// public routes ?community=N (publicScope).
func (s *Server) handler(rt Route) http.Handler {
	switch {
	case rt.plain != nil:
		return rt.plain
	case rt.Guard == GuardKiosk:
		return s.wrap(s.requireKioskOrStaff(rt.handle))
	case rt.Guard == GuardStaff:
		return s.wrap(s.requireStaff(chorus.RoleStaff, rt.handle))
	case rt.Guard == GuardAdmin:
		return s.wrap(s.requireStaff(chorus.RoleAdmin, rt.handle))
	case rt.Guard == GuardDistrict:
		return s.wrap(s.requireDistrict(rt.handle))
	case rt.Guard == GuardStaffPage:
		return s.wrapPage(s.requireStaff(chorus.RoleStaff, rt.handle))
	}
	return s.wrap(s.publicScope(rt.handle))
}

// noSuchAPI answers a path under /api/ that no route has.
func (s *Server) noSuchAPI(w http.ResponseWriter, r *http.Request) error {
	return chorus.Errorf(chorus.ENOTFOUND, "没有这个接口。")
}
