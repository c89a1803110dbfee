package chorus

import (
	"context"
	"strings"
	"time"
)

// Kiosk is a touch screen in an activity room, paired with the server once
// and then driven by it over a websocket. Its token is never part of it: the
// store keeps only the token's hash.
type Kiosk struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"` // 活动室东墙
	PlaceID int64  `json:"place_id"`
	Place   string `json:"place,omitempty"` // filled on read
	// Community is the community the kiosk belongs to (its place's): the
	// scope of every request it makes.
	Community int64         `json:"community"`
	Mode      KioskMode     `json:"mode"`
	Settings  KioskSettings `json:"settings"`
	Revoked   bool          `json:"revoked"`
	PairedAt  time.Time     `json:"paired_at,omitzero"` // zero until paired
	CreatedAt time.Time     `json:"created_at"`
}

// KioskModeKind is what a kiosk is for at the moment.
type KioskModeKind string

// Kiosk modes.
const (
	KioskBooking KioskModeKind = "booking" // residents book, enrol and look up
	KioskCheckin KioskModeKind = "checkin" // residents check in to one event
	KioskClosed  KioskModeKind = "closed"  // a message only, nothing to tap
)

// KioskMode is a kiosk's mode: booking, checking in to EventID (or to
// today's session of term class ClassID), or closed with Message.
type KioskMode struct {
	Kind    KioskModeKind `json:"kind"`
	EventID int64         `json:"event_id,omitempty"` // checkin only
	// ClassID is the term class whose session of the day a kiosk in
	// check-in mode checks in, instead of an event: typed codes and QR
	// codes of its enrolments (checkin only, EventID then 0).
	ClassID int64 `json:"class_id,omitempty"`
	// EventTitle is the title of EventID (or ClassID), filled on read:
	// the kiosk shows it even for an event closed to bookings, which is
	// not in the list of events it gets.
	EventTitle string `json:"event_title,omitempty"`
	Message    string `json:"message,omitempty"` // closed only; empty shows the page's default
}

// MaxKioskMessage bounds a closed kiosk's message and an announcement, in
// characters: two lines of large type on a 21.5-inch screen.
const MaxKioskMessage = 100

// Validate checks a mode and drops the fields its kind does not use, and
// the event's title, which is read from the event.
func (m *KioskMode) Validate() error {
	m.EventTitle = ""
	switch m.Kind {
	case KioskBooking:
		m.EventID, m.ClassID, m.Message = 0, 0, ""
	case KioskCheckin:
		if (m.EventID <= 0) == (m.ClassID <= 0) {
			return Errorf(EINVALID, "签到模式要选一个活动或一门课程。")
		}
		m.EventID, m.ClassID = max(m.EventID, 0), max(m.ClassID, 0)
		m.Message = ""
	case KioskClosed:
		m.EventID, m.ClassID = 0, 0
		m.Message = strings.TrimSpace(m.Message)
		if err := checkText("暂停服务的提示", m.Message, MaxKioskMessage); err != nil {
			return err
		}
	default:
		return Errorf(EINVALID, "自助机模式只能是预约、签到或暂停服务。")
	}
	return nil
}

// KioskSettings are a kiosk's display settings, pushed to it live.
type KioskSettings struct {
	// IdleSeconds returns the screen to the welcome page, clearing what was
	// entered, after this long without a touch.
	IdleSeconds int `json:"idle_seconds"`
	// TextSize is the default text size: 0 large, 1 larger, 2 largest.
	TextSize int `json:"text_size"`
	// Printer offers 打印凭条 on the done screen.
	Printer bool `json:"printer"`
}

// Kiosk settings bounds.
const (
	// DefaultIdleSeconds gives a slow reader time to finish a screen while a
	// phone number left on it does not linger for the next person.
	DefaultIdleSeconds = 90
	MinIdleSeconds     = 30  // shorter interrupts residents who read slowly
	MaxIdleSeconds     = 600 // longer leaves a phone number on screen too long
	MaxTextSize        = 2   // three levels: 0, 1, 2
)

// DefaultKioskSettings returns the settings of a new kiosk.
func DefaultKioskSettings() KioskSettings {
	return KioskSettings{IdleSeconds: DefaultIdleSeconds}
}

// Validate checks settings; an IdleSeconds of 0 becomes the default.
func (s *KioskSettings) Validate() error {
	if s.IdleSeconds == 0 {
		s.IdleSeconds = DefaultIdleSeconds
	}
	if s.IdleSeconds < MinIdleSeconds || s.IdleSeconds > MaxIdleSeconds {
		return Errorf(EINVALID, "无人操作返回首页的时间应在%d到%d秒之间。", MinIdleSeconds, MaxIdleSeconds)
	}
	if s.TextSize < 0 || s.TextSize > MaxTextSize {
		return Errorf(EINVALID, "字号只有大、较大、特大三档。")
	}
	return nil
}

// Validate checks a kiosk's name, place, mode and settings.
func (k *Kiosk) Validate() error {
	k.Name = strings.TrimSpace(k.Name)
	if err := checkName("自助机名称", k.Name, 40); err != nil {
		return err
	}
	if k.PlaceID <= 0 {
		return Errorf(EINVALID, "请选择自助机所在的地点。")
	}
	if k.Mode.Kind == "" {
		k.Mode.Kind = KioskBooking
	}
	if err := k.Mode.Validate(); err != nil {
		return err
	}
	return k.Settings.Validate()
}

// Announcement is a notice shown, and read aloud when Speak is set, on one
// kiosk (KioskID), the kiosks of one place (PlaceID), or every kiosk (both
// 0), until ExpiresAt.
type Announcement struct {
	ID      int64  `json:"id"`
	Text    string `json:"text"`
	Speak   bool   `json:"speak"`
	KioskID int64  `json:"kiosk_id,omitempty"`
	PlaceID int64  `json:"place_id,omitempty"`
	// Community is the community whose kiosks show it (the scope it was
	// made in).
	Community int64     `json:"community,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// Announcement bounds.
const (
	// DefaultAnnouncementTTL is how long an announcement given no expiry
	// stays up: the rest of a working day.
	DefaultAnnouncementTTL = 12 * time.Hour
	// MaxAnnouncementTTL keeps forgotten notices from staying up for good.
	MaxAnnouncementTTL = 31 * 24 * time.Hour
)

// Validate checks an announcement's text and audience.
func (a *Announcement) Validate() error {
	a.Text = strings.TrimSpace(a.Text)
	if err := checkName("通知内容", a.Text, MaxKioskMessage); err != nil {
		return err
	}
	if a.KioskID < 0 || a.PlaceID < 0 || (a.KioskID > 0 && a.PlaceID > 0) {
		return Errorf(EINVALID, "通知只能发给一台自助机、一个地点或全部自助机。")
	}
	return nil
}

// For reports whether the announcement is meant for kiosk k: a kiosk of
// its community (0 is DefaultCommunity, as before districts) that it
// names, or at the place it names, or any.
func (a *Announcement) For(k *Kiosk) bool {
	orDefault := func(c int64) int64 {
		if c == 0 {
			return DefaultCommunity
		}
		return c
	}
	if orDefault(a.Community) != orDefault(k.Community) {
		return false
	}
	switch {
	case a.KioskID > 0:
		return a.KioskID == k.ID
	case a.PlaceID > 0:
		return a.PlaceID == k.PlaceID
	}
	return true
}

// KioskHealth is what the server knows of a kiosk's connection.
type KioskHealth struct {
	// Online is true while the kiosk is connected and has spoken within
	// the last 30 seconds.
	Online     bool      `json:"online"`
	LastSeen   time.Time `json:"last_seen,omitzero"`
	AppVersion string    `json:"app_version,omitempty"`
	Screen     string    `json:"screen,omitempty"` // the page's current screen, e.g. "welcome"
}

// PairingCodeTTL is how long a kiosk's pairing code works: long enough for
// staff to walk to the room the next morning.
const PairingCodeTTL = 24 * time.Hour

// KioskService keeps kiosks, their pairing and their announcements.
type KioskService interface {
	// CreateKiosk registers a kiosk and returns it with a one-time pairing
	// code of 8 digits, valid for PairingCodeTTL. Errors: EINVALID.
	CreateKiosk(ctx context.Context, name string, placeID int64) (*Kiosk, string, error)
	// NewPairingCode issues a new pairing code for a kiosk, replacing any
	// earlier one; pairing with it replaces the kiosk's token and lifts a
	// revocation. Errors: ENOTFOUND.
	NewPairingCode(ctx context.Context, id int64) (string, error)
	// Pair consumes a pairing code and returns the kiosk with its new
	// long-lived token. Errors: EINVALID (unknown, used or expired code).
	Pair(ctx context.Context, code string) (*Kiosk, string, error)
	// KioskByToken returns the kiosk holding token. Errors: ENOTFOUND,
	// EFORBIDDEN (revoked).
	KioskByToken(ctx context.Context, token string) (*Kiosk, error)
	// Kiosk returns one kiosk. Errors: ENOTFOUND.
	Kiosk(ctx context.Context, id int64) (*Kiosk, error)
	// Kiosks returns every kiosk, revoked ones too, by place and name.
	Kiosks(ctx context.Context) ([]Kiosk, error)
	// RenameKiosk renames a kiosk and moves it to placeID (0 keeps its
	// place). Errors: EINVALID, ENOTFOUND.
	RenameKiosk(ctx context.Context, id int64, name string, placeID int64) (*Kiosk, error)
	// SetKioskMode sets a kiosk's mode. Errors: EINVALID (a check-in event
	// that does not exist), ENOTFOUND.
	SetKioskMode(ctx context.Context, id int64, m KioskMode) (*Kiosk, error)
	// SetKioskSettings sets a kiosk's settings. Errors: EINVALID, ENOTFOUND.
	SetKioskSettings(ctx context.Context, id int64, s KioskSettings) (*Kiosk, error)
	// RevokeKiosk stops a kiosk's token from working. Errors: ENOTFOUND.
	RevokeKiosk(ctx context.Context, id int64) (*Kiosk, error)
	// ReloadKiosk asks a kiosk's screens to reload the page, through
	// whichever instance they are connected to (the commit carries the
	// request). Errors: ENOTFOUND.
	ReloadKiosk(ctx context.Context, id int64) (*Kiosk, error)
	// CreateAnnouncement stores an announcement; a zero ExpiresAt becomes
	// DefaultAnnouncementTTL from now. Errors: EINVALID (bad text or
	// expiry, unknown kiosk or place).
	CreateAnnouncement(ctx context.Context, a *Announcement) error
	// Announcements returns the announcements not expired at now, newest
	// first.
	Announcements(ctx context.Context, now time.Time) ([]Announcement, error)
}
