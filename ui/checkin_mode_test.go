package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/ui/internal/browsertest"
)

// Kiosk check-in mode: a kiosk at the event, set to check-in for it,
// greets residents by name when they hold their QR code to its scanner or
// camera or type their code.

// bookNamed books a seat of the event's first slot for a resident with a
// name, as staff would (confirmed), and returns the booking with its
// check-in token and code.
func (s *stack) bookNamed(ev *chorus.Event, phone, name string) *chorus.Booking {
	s.tb.Helper()
	b, err := s.DB.Book(context.Background(), chorus.BookingRequest{EventID: ev.ID, SlotID: ev.Slots[0].ID,
		Phone: phone, Name: name, Source: "staff", Actor: chorus.ActorStaff, Confirmed: true})
	s.must(err)
	if b.CheckinToken == "" || b.Code == "" {
		s.tb.Fatalf("booking of %s has no check-in token or code: %+v", name, b)
	}
	return b
}

// status returns a booking's status in the store.
func (s *stack) status(id int64) chorus.Status {
	s.tb.Helper()
	b, err := s.DB.Booking(context.Background(), id)
	s.must(err)
	return b.Status
}

// checkinMode sets the page's kiosk to check-in for ev and waits for the
// scanning screen, the camera found or not.
func (p *kioskPage) checkinMode(ev *chorus.Event) {
	p.t.Helper()
	p.s.setMode(p.KioskID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: ev.ID})
	p.waitScreen("checkin")
	p.mustSee("签到 · " + ev.Title)
}

// Key gaps: a USB scanner types a character every few milliseconds, a
// person at a keyboard every 150–300 ms, a very fast typist in bursts of
// 60–100 ms.
const (
	scannerGap = 8 * time.Millisecond
	typistGap  = 80 * time.Millisecond
	personGap  = 180 * time.Millisecond
)

// typeKeys types text and Enter on the keyboard: real key events (down,
// char, up) through the browser's input pipeline, each stamped gap after
// the one before, as a device stamps them. The page judges the pace from
// these stamps, so a loaded test machine cannot blur a person's typing
// into a scanner's or a scanner's into a person's.
func (p *kioskPage) typeKeys(text string, gap time.Duration) {
	p.t.Helper()
	at := time.Now()
	if at.Before(p.keyClock) {
		at = p.keyClock // the stamps of the last text typed went on ahead of the clock
	}
	defer func() { p.keyClock = at.Add(time.Second) }()
	for _, r := range text + "\r" {
		for _, k := range kb.Encode(r) {
			k.Timestamp = input.TimeSinceEpoch(float64(at.UnixNano()) / 1e9)
			if _, err := chromedp.Call(p.ctx, input.DispatchKeyEvent, *k); err != nil {
				p.t.Fatalf("type %q: %v", r, err)
			}
		}
		at = at.Add(gap)
	}
}

// answer waits for the answer screen and returns its outcome.
func (p *kioskPage) answer() string {
	p.t.Helper()
	p.waitScreen("checkin/result")
	return eval[string](p, `document.querySelector('#answer').dataset.outcome`)
}

// said returns what the page said aloud (pageOpts.speech).
func (p *kioskPage) said() []string {
	return eval[[]string](p, `__said.filter((x) => x.text).map((x) => x.text)`)
}

func TestKiosk_CheckinMode(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	li := s.bookNamed(s.Yoga, "13600001001", "李阿姨")
	wang := s.bookNamed(s.Yoga, "13600001002", "王大爷")
	zhang := s.bookNamed(s.Yoga, "13600001003", "张奶奶")
	zhao := s.bookNamed(s.Yoga, "13600001004", "赵大爷")
	clinic := s.bookNamed(s.Clinic, phoneYao, "姚大娘") // Saturday: another event, another day
	// Bookings for the class closed at noon (停止预约): residents no
	// longer see it, and the door goes on under its name.
	yoga, err := s.DB.Event(context.Background(), s.Yoga.ID)
	s.must(err)
	yoga.Status = chorus.EventClosed
	s.must(s.DB.UpdateEvent(context.Background(), yoga))
	p := openKiosk(t, s, pageOpts{speech: true})
	p.checkinMode(s.Yoga)

	// Headless Chromium has no camera: the screen says to use the scanner
	// or the keypad, and both work.
	p.wait(`K.scan.camera.state === 'none'`)
	p.mustSee("有二维码的,请用扫码器扫一下。", "请输入短信里的6位签到码")
	p.check("66-checkin-no-camera")

	// The scanner types the whole URL fast and Enter, with a digit button
	// just tapped and focused: the resident is greeted by name, and the
	// Enter does not press the button.
	p.tap("1")
	eval[bool](p, `(() => { const b = [...document.querySelectorAll('.keypad button')].find((x) => x.textContent === '1'); b.focus(); return document.activeElement === b; })()`)
	start := time.Now()
	p.typeKeys(s.URL+"/c/"+li.CheckinToken, scannerGap)
	if got := p.answer(); got != "ok" {
		t.Fatalf("scanning 李阿姨's code: outcome %q", got)
	}
	t.Logf("scanned and greeted in %v; the page saw %s", time.Since(start).Round(time.Millisecond),
		eval[string](p, `JSON.stringify(K.scan.keys.lastScan)`))
	p.mustSee("李阿姨", "✓ 签到成功", "公益瑜伽课", "19:00–20:00")
	p.mustNotSee(li.Code, li.Phone, li.CheckinToken)
	if code := eval[string](p, `K.session.d.code || ''`); code != "1" {
		t.Errorf("the scanner's Enter pressed the focused key: digits %q", code)
	}
	if said := p.said(); len(said) == 0 || said[len(said)-1] != "李阿姨,签到成功!" {
		t.Errorf("said %q", said)
	}
	if st := s.status(li.ID); st != chorus.StatusCheckedIn {
		t.Errorf("李阿姨's booking is %s after the scan", st)
	}
	p.check("63-checkin-scanned")

	// The answer goes back to the scanning screen by itself.
	p.waitUpTo(`K.shown.id === 'checkin'`, 9*time.Second)

	// A repeat, by the code on the keypad: 已签到 with the time of the
	// first check-in, in amber.
	p.typeDigits(li.Code)
	p.tap("签到")
	if got := p.answer(); got != "already" {
		t.Fatalf("the code again: outcome %q", got)
	}
	p.mustSee("李阿姨", "✓ 已签到", "第一次签到在 09:0")
	if said := p.said(); !strings.Contains(said[len(said)-1], "李阿姨,您已经签到过了。第一次签到是九点") {
		t.Errorf("said %q", said[len(said)-1])
	}
	p.check("64-checkin-already")
	p.tap("完成")
	p.waitScreen("checkin")

	// The camera's decoder fed with the QR code the server drew: 王大爷.
	type decoded struct {
		Text  string `json:"text"`
		Acted bool   `json:"acted"`
	}
	qr := "/qr/" + wang.CheckinToken + ".png"
	got := eval[decoded](p, fmt.Sprintf(`K.decodeImageForTest(%q)`, qr))
	if want := s.URL + "/c/" + wang.CheckinToken; got.Text != want || !got.Acted {
		t.Fatalf("decoding %s: %+v, want %q", qr, got, want)
	}
	if out := p.answer(); out != "ok" {
		t.Fatalf("王大爷 by camera: outcome %q", out)
	}
	p.mustSee("王大爷", "✓ 签到成功")
	if st := s.status(wang.ID); st != chorus.StatusCheckedIn {
		t.Errorf("王大爷's booking is %s after the camera read it", st)
	}
	p.tap("完成")
	p.waitScreen("checkin")
	// The same code still in front of the camera counts once.
	if again := eval[decoded](p, fmt.Sprintf(`K.decodeImageForTest(%q)`, qr)); again.Acted {
		t.Errorf("the camera checked the same code in twice within seconds")
	}

	// A booking of another event, scanned: the server's sentence, in red.
	p.typeKeys(s.URL+"/c/"+clinic.CheckinToken, scannerGap)
	if got := p.answer(); got != "other_event" {
		t.Fatalf("another event's code: outcome %q", got)
	}
	p.mustSee("不是这个活动的预约", "免费义诊", "请找工作人员")
	p.mustNotSee("签到成功")
	if said := p.said(); !strings.Contains(said[len(said)-1], "不是这个活动的预约。这是十二月五日") {
		t.Errorf("said %q", said[len(said)-1])
	}
	if st := s.status(clinic.ID); st != chorus.StatusConfirmed {
		t.Errorf("the clinic booking is %s after scanning it at the yoga class", st)
	}
	p.check("65-checkin-other-event")
	p.tap("完成")
	p.waitScreen("checkin")

	// Another event's code typed on the keypad: not found, in red.
	p.typeDigits(clinic.Code)
	p.tap("签到")
	if got := p.answer(); got != "unknown" {
		t.Fatalf("another event's code typed: outcome %q", got)
	}
	p.mustSee("没有找到这个预约", "请找工作人员")
	p.tap("完成")
	p.waitScreen("checkin")

	// Something else read by the scanner is answered; ordinary typing on a
	// keyboard, even of a whole token, is not taken for a scan.
	p.typeKeys("6901234567892", scannerGap)
	if got := p.answer(); got != "not_ours" {
		t.Fatalf("a product's barcode: outcome %q", got)
	}
	p.mustSee("不是签到二维码")
	p.tap("完成")
	p.waitScreen("checkin")
	for _, gap := range []time.Duration{personGap, typistGap} {
		p.typeKeys(s.URL+"/c/"+zhang.CheckinToken, gap)
		time.Sleep(200 * time.Millisecond)
		if p.screen() != "checkin" || s.status(zhang.ID) != chorus.StatusConfirmed {
			t.Fatalf("typing %v apart was taken for a scan: screen %q, booking %s", gap, p.screen(), s.status(zhang.ID))
		}
	}
	// The bare token, scanned, the hidden input holding the focus as it
	// does on the check-in screens; focus lost to nowhere comes back.
	p.wait(`document.activeElement.id === 'scan-input'`)
	eval[bool](p, `(document.activeElement.blur(), true)`)
	p.wait(`document.activeElement.id === 'scan-input'`)
	if id := eval[string](p, `document.activeElement.id`); id != "scan-input" {
		t.Errorf("the focus is on %q, not the hidden input", id)
	}
	p.typeKeys(zhang.CheckinToken, scannerGap)
	if got := p.answer(); got != "ok" {
		t.Fatalf("a bare token: outcome %q", got)
	}
	p.mustSee("张奶奶", "✓ 签到成功")
	p.tap("完成")
	p.waitScreen("checkin")

	// A scanner that types into the focused field without key values
	// (keydown "Unidentified", then the text as input), as some do.
	eval[bool](p, fmt.Sprintf(`(() => {
  const i = document.querySelector('#scan-input'), kd = (key) => i.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  kd('Unidentified');
  i.value = %[1]q;
  i.dispatchEvent(new InputEvent('input', { data: %[1]q, inputType: 'insertText', bubbles: true }));
  kd('Enter');
  return true;
})()`, s.URL+"/c/"+zhao.CheckinToken))
	if got := p.answer(); got != "ok" {
		t.Fatalf("a scanner typing into the hidden input: outcome %q", got)
	}
	p.mustSee("赵大爷", "✓ 签到成功")
	p.tap("完成")
	p.waitScreen("checkin")

	// An error from the server (here: the kiosk's mode changed behind
	// the page's back) is a red answer too, in the server's words.
	_, err = s.DB.SetKioskMode(context.Background(), p.KioskID, chorus.KioskMode{Kind: chorus.KioskBooking})
	s.must(err)
	p.typeKeys(s.URL+"/c/"+li.CheckinToken, scannerGap)
	if got := p.answer(); got != "error" {
		t.Fatalf("scanning at a kiosk the server no longer has in check-in mode: outcome %q", got)
	}
	p.mustSee("没有签上", "这台自助机现在不办理签到,请找工作人员。")
	_, err = s.DB.SetKioskMode(context.Background(), p.KioskID, chorus.KioskMode{Kind: chorus.KioskCheckin, EventID: s.Yoga.ID})
	s.must(err)

	// A portrait screen: the same two screens.
	p.w, p.h = 1080, 1920
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	p.wait(`window.innerWidth === 1080`)
	p.check("67-portrait-checkin-scanned")
	p.tap("完成")
	p.waitScreen("checkin")
	p.check("68-portrait-checkin-no-camera")
}

// TestKiosk_CheckinCamera gives the browser a camera filming a booking's
// QR code (the server's own PNG): the kiosk shows the camera's picture and
// greets the resident by name.
func TestKiosk_CheckinCamera(t *testing.T) {
	t.Parallel()
	s := mustStack(t)
	li := s.bookNamed(s.Yoga, "13600001001", "李阿姨")
	video := filepath.Join(t.TempDir(), "camera.y4m")
	writeY4M(t, video, s.qrPNG(li.CheckinToken))
	p := openKiosk(t, s, pageOpts{speech: true, flags: browsertest.FakeCamera(video)})

	eval[bool](p, `(K.scan.camera.hold = true)`) // the preview first, for its picture
	p.checkinMode(s.Yoga)
	p.wait(`K.scan.camera.state === 'on' && document.querySelector('#scan video').readyState >= 2`)
	p.mustSee("有二维码的,请对准摄像头。")
	p.check("69-checkin-camera")

	start := time.Now()
	eval[bool](p, `!(K.scan.camera.hold = false)`)
	if got := p.answer(); got != "ok" {
		t.Fatalf("the camera's code: outcome %q", got)
	}
	t.Logf("the camera's code read and greeted in %v", time.Since(start).Round(time.Millisecond))
	p.mustSee("李阿姨", "✓ 签到成功")
	if said := p.said(); len(said) == 0 || said[len(said)-1] != "李阿姨,签到成功!" {
		t.Errorf("said %q", said)
	}
	// Back on the scanning screen the code, still before the camera, is
	// not taken again.
	p.tap("完成")
	p.waitScreen("checkin")
	time.Sleep(time.Second)
	if p.screen() != "checkin" {
		t.Errorf("the code still before the camera was taken again: screen %q", p.screen())
	}

	// The camera's picture on a portrait screen.
	p.w, p.h = 1080, 1920
	p.do(chromedp.EmulateViewport(p.w, p.h, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	p.wait(`window.innerWidth === 1080 && document.querySelector('#scan video')`)
	p.check("68-portrait-checkin-camera")

	// Leaving check-in mode turns the camera off.
	s.setMode(p.KioskID, chorus.KioskMode{Kind: chorus.KioskBooking})
	p.waitScreen("welcome")
	p.wait(`K.scan.camera.state === 'off' && !K.scan.camera.stream`)
}

// qrPNG fetches the QR code of a token from the server.
func (s *stack) qrPNG(token string) []byte {
	s.tb.Helper()
	res, err := http.Get(s.URL + "/qr/" + token + ".png")
	s.must(err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	s.must(err)
	if res.StatusCode != http.StatusOK {
		s.tb.Fatalf("GET /qr/%s.png: %s", token, res.Status)
	}
	return b
}

// writeY4M writes a one-frame 640×480 Y4M video (Chromium's fake camera
// loops it) of the PNG in the middle of a light grey frame.
func writeY4M(t *testing.T, file string, pngData []byte) {
	t.Helper()
	src, err := png.Decode(bytes.NewReader(pngData))
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 640, 480
	frame := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(frame, frame.Bounds(), image.NewUniform(color.Gray{Y: 230}), image.Point{}, draw.Src)
	sb := src.Bounds()
	if sb.Dx() > w || sb.Dy() > h {
		t.Fatalf("QR image %v larger than the camera's frame", sb)
	}
	at := image.Pt((w-sb.Dx())/2, (h-sb.Dy())/2)
	draw.Draw(frame, sb.Sub(sb.Min).Add(at), src, sb.Min, draw.Src)
	var b bytes.Buffer
	fmt.Fprintf(&b, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\nFRAME\n", w, h)
	b.Write(frame.Pix)
	b.Write(bytes.Repeat([]byte{128}, w*h/2)) // U and V: no colour
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
