// Package kiosk drives Chorus's kiosks over websockets: one hub goroutine
// owns the connected screens, pushes each a snapshot on connect and then
// deltas (seats left, events, programmes, announcements, mode, settings) as
// the store commits changes, and tracks each kiosk's health. The protocol is
// described in docs/kiosk-protocol.md.
package kiosk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chorus-community/chorus"
)

// Version is the protocol version; every message carries it as "v".
const Version = 1

// Message types sent by the server.
const (
	TypeSnapshot     = "snapshot"      // everything a kiosk shows; replaces what it had
	TypeSeats        = "seats"         // a slot's seats left changed
	TypeProgramme    = "programme"     // a programme's places left changed
	TypeEvent        = "event"         // an event was created or changed
	TypeEventRemoved = "event_removed" // an event was cancelled, closed or is over
	TypeAnnounce     = "announce"      // a new announcement
	TypeMode         = "mode"          // the kiosk's mode changed
	TypeSettings     = "settings"      // the kiosk's settings changed
	TypeReload       = "reload"        // reload the page when idle
	TypeRevoked      = "revoked"       // the token no longer works; the server closes
	TypeError        = "error"         // the kiosk's last message was not understood
)

// Message types sent by a kiosk.
const (
	TypeHello     = "hello"     // first message after connecting
	TypeHeartbeat = "heartbeat" // every 10 s
	TypeScreen    = "screen"    // the page moved to another screen
	TypeResync    = "resync"    // the kiosk missed a seq: send a snapshot
)

// maxLabel bounds app_version and screen, in bytes.
const maxLabel = 64

// Message is a message from a kiosk.
type Message struct {
	V          int    `json:"v"`
	Type       string `json:"type"`
	AppVersion string `json:"app_version,omitempty"` // hello, heartbeat
	Screen     string `json:"screen,omitempty"`      // hello, heartbeat, screen
}

// ParseMessage reads and checks one text frame from a kiosk. Unknown fields
// are ignored so that a newer page can talk to an older server. Errors:
// EINVALID, with a message the kiosk can show staff.
func ParseMessage(data []byte) (*Message, error) {
	var m Message
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, chorus.Errorf(chorus.EINVALID, "消息格式不正确:应是一个 JSON 对象。")
	}
	if m.V != Version {
		return nil, chorus.Errorf(chorus.EINVALID, "协议版本不对:服务器只支持第%d版。", Version)
	}
	switch m.Type {
	case TypeHello, TypeHeartbeat:
	case TypeScreen:
		if m.Screen == "" {
			return nil, chorus.Errorf(chorus.EINVALID, "screen 消息缺少当前页面。")
		}
	case TypeResync:
	default:
		return nil, chorus.Errorf(chorus.EINVALID, "不认识的消息类型。")
	}
	if !label(m.AppVersion) || !label(m.Screen) {
		return nil, chorus.Errorf(chorus.EINVALID, "版本号或页面名不正确:最多%d个字母、数字或 ._-/: 符号。", maxLabel)
	}
	return &m, nil
}

// label reports whether s is a short ASCII name such as "1.4.2" or
// "clinic/slots", safe to show in the staff console.
func label(s string) bool {
	if len(s) > maxLabel {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '_', c == '-', c == '/', c == ':', c == '+':
		default:
			return false
		}
	}
	return true
}

// header starts every server message. The per-connection "seq" is put in
// front of it by the connection's writer, so one encoding serves every
// kiosk.
type header struct {
	V    int    `json:"v"`
	Type string `json:"type"`
}

func head(typ string) header { return header{V: Version, Type: typ} }

// kioskInfo is who the kiosk is, in a snapshot.
type kioskInfo struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Place string `json:"place"`
	// Community is the kiosk's: an event of another community (open to
	// the district) is shown labelled with its host.
	Community int64 `json:"community"`
}

// snapshotHead is the kiosk's own part of a snapshot; the events and
// programmes, the same for every kiosk of a community, follow it (see
// Hub.snapshot).
type snapshotHead struct {
	header
	Kiosk         kioskInfo             `json:"kiosk"`
	Mode          chorus.KioskMode      `json:"mode"`
	Settings      chorus.KioskSettings  `json:"settings"`
	Announcements []chorus.Announcement `json:"announcements"`
	ServerTime    time.Time             `json:"server_time"`
}

// sharedPart is the part of a snapshot every kiosk of a community shares.
type sharedPart struct {
	Events     []any              `json:"events"` // as GET /api/events
	Programmes []chorus.Programme `json:"programmes"`
}

type seatsMsg struct {
	header
	EventID   int64 `json:"event_id"`
	SlotID    int64 `json:"slot_id"`
	SeatsLeft int   `json:"seats_left"`
	Waiting   int   `json:"waiting"`
	Open      bool  `json:"open"`
}

type programmeMsg struct {
	header
	ProgrammeID int64 `json:"programme_id"`
	PlacesLeft  int   `json:"places_left"`
	Waiting     int   `json:"waiting"`
}

type eventMsg struct {
	header
	Event any `json:"event"`
}

type eventRemovedMsg struct {
	header
	EventID int64 `json:"event_id"`
}

type announceMsg struct {
	header
	Announcement chorus.Announcement `json:"announcement"`
}

type modeMsg struct {
	header
	Mode chorus.KioskMode `json:"mode"`
}

type settingsMsg struct {
	header
	Settings chorus.KioskSettings `json:"settings"`
}

type textMsg struct {
	header
	Message string `json:"message,omitempty"`
}

// frame is one server message waiting to be written: a JSON object without
// its seq, in parts written one after the other. Frames and their parts are
// shared between connections and never changed once made.
type frame struct {
	parts [][]byte
	// last closes the connection after the frame (revoked).
	last bool
	// snapshot marks a snapshot: deltas follow it.
	snapshot bool
	// bySeq holds the frame as sent with each seq, as the bytes of one
	// websocket text frame: kiosks that have received as many frames share
	// one encoding of a broadcast. Only the hub's goroutine uses it.
	bySeq map[int64][]byte
}

// wire returns the websocket frame of f with seq, encoding it on first
// use: {"seq":N, then the parts without the first one's opening brace.
func (f *frame) wire(seq int64) []byte {
	if b := f.bySeq[seq]; b != nil {
		return b
	}
	n := 32
	for _, p := range f.parts {
		n += len(p)
	}
	b := strconv.AppendInt(append(make([]byte, 0, n), `{"seq":`...), seq, 10)
	b = append(b, ',')
	for i, p := range f.parts {
		if i == 0 {
			p = p[1:]
		}
		b = append(b, p...)
	}
	w := serverFrame(opText, b)
	if f.bySeq == nil {
		f.bySeq = make(map[int64][]byte, 1)
	}
	f.bySeq[seq] = w
	return w
}

// Websocket opcodes the hub writes itself (RFC 6455, 5.2).
const (
	opText = 0x1
	opPing = 0x9
	opPong = 0xa
)

// serverFrame returns payload as one final, unmasked websocket frame of
// opcode op, as a server sends it (RFC 6455, 5.2): the hub writes frames
// to the socket itself, each in one system call, so that a broadcast to
// thousands of kiosks is one write each and nothing more.
func serverFrame(op byte, payload []byte) []byte {
	n := len(payload)
	var b []byte
	switch {
	case n < 126:
		b = append(make([]byte, 0, 2+n), 0x80|op, byte(n))
	case n < 1<<16:
		b = append(make([]byte, 0, 4+n), 0x80|op, 126, byte(n>>8), byte(n))
	default:
		b = append(make([]byte, 0, 10+n), 0x80|op, 127,
			byte(uint64(n)>>56), byte(uint64(n)>>48), byte(uint64(n)>>40), byte(uint64(n)>>32),
			byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, payload...)
}

// encodeFrame encodes v, a message struct starting with a header.
func encodeFrame(v any) (*frame, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode kiosk message: %w", err)
	}
	return &frame{parts: [][]byte{b}}, nil
}

// jsonTail encodes v, an object, without its opening brace.
func jsonTail(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b[1:], nil
}
