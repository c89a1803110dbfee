package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chorus-community/chorus"
)

// Exports: an event's bookings and attendance as CSV that Excel opens as it
// should, and the event's printable sign-in sheet (签到表).

// csvHeader is the first row of both CSV exports.
var csvHeader = []string{"时段", "姓名", "手机号", "状态", "签到码", "签到时间"}

// utf8BOM makes Excel read the CSV as UTF-8 rather than the system's
// legacy code page (GBK on Chinese Windows), which garbles every name.
const utf8BOM = "\ufeff"

// signinBlankRows are the empty rows at the end of a sign-in sheet, for
// residents who come without booking.
const signinBlankRows = 6

// bookingsCSV exports every booking of an event, cancelled ones too.
func (s *Server) bookingsCSV(w http.ResponseWriter, r *http.Request) error {
	return s.writeEventCSV(w, r, "bookings", "预约名单", func(chorus.Status) bool { return true })
}

// attendanceCSV exports the bookings that held a seat: who came (已签到),
// who is still expected, and who did not come (未到).
func (s *Server) attendanceCSV(w http.ResponseWriter, r *http.Request) error {
	return s.writeEventCSV(w, r, "attendance", "签到情况", func(st chorus.Status) bool {
		return st.HoldsSeat() || st == chorus.StatusNoShow
	})
}

// eventBookingsFor loads an event and its bookings by the path's id.
func (s *Server) eventBookingsFor(r *http.Request) (*chorus.Event, []chorus.Booking, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, nil, err
	}
	e, err := s.Store.Event(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.Store.EventBookings(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	return e, list, nil
}

// writeEventCSV writes the event's bookings whose status keep accepts as
// CSV for Excel: UTF-8 with a BOM, CRLF line ends, Chinese headers. The
// file downloads as 预约名单-免费义诊-2026-12-05.csv (what, the title, the
// first day), or event-12-bookings.csv (kind) for old clients.
func (s *Server) writeEventCSV(w http.ResponseWriter, r *http.Request, kind, what string, keep func(chorus.Status) bool) error {
	e, list, err := s.eventBookingsFor(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(utf8BOM)
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	cw.Write(csvHeader)
	for _, b := range list {
		if !keep(b.Status) {
			continue
		}
		checked := ""
		if !b.CheckedInAt.IsZero() {
			checked = b.CheckedInAt.In(s.Location).Format("2006-01-02 15:04")
		}
		cw.Write([]string{
			s.slotLabel(b.SlotStart, b.SlotEnd),
			csvCell(b.Name),
			excelDigits(b.Phone),
			b.Status.Label(),
			excelDigits(b.Code),
			checked,
		})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	day := ""
	if len(e.Slots) > 0 {
		day = "-" + e.Slots[0].Start.In(s.Location).Format(time.DateOnly)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", attachment(fmt.Sprintf("event-%d-%s.csv", e.ID, kind), fmt.Sprintf("%s-%s%s.csv", what, e.Title, day)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// slotLabel renders a slot for the exports: 2026-12-05 09:00-09:15.
func (s *Server) slotLabel(start, end time.Time) string {
	return start.In(s.Location).Format("2006-01-02 15:04") + "-" + end.In(s.Location).Format("15:04")
}

// attachment builds a Content-Disposition that downloads as name: ascii
// for old clients, name in UTF-8 (RFC 6266 and 5987) for the rest.
func attachment(ascii, name string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(name))
}

// csvCell defuses a cell that a spreadsheet would run as a formula
// (CSV injection): a cell starting with = + - @ (also their full-width
// forms, a tab or a carriage return) gets a leading single quote, which
// Excel shows as text.
func csvCell(v string) string {
	if v == "" {
		return v
	}
	if strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(v)[0]) {
		return "'" + v
	}
	return v
}

// excelDigits keeps a string of digits (a phone number, a check-in code)
// as text in Excel: written plain, Excel would turn 13812345678 into
// 1.38E+10 and drop the leading 0 of the code 012345. The ="…" form is
// the one Excel, WPS and LibreOffice all read as the text inside. Anything
// that is not all digits goes through csvCell instead.
func excelDigits(v string) string {
	if v == "" {
		return v
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return csvCell(v)
		}
	}
	return `="` + v + `"`
}

// signinRow is one line of the sign-in sheet.
type signinRow struct {
	N       int
	Slot    string
	Name    string
	Phone   string // masked: the sheet lies on a table at the door
	Code    string
	Checked string // 已签到 09:03, or empty for the signature
}

// signinPage is what the sign-in sheet template renders.
type signinPage struct {
	Community string
	Event     *chorus.Event
	Place     string
	Day       string
	Printed   string
	Booked    int
	Rows      []signinRow
	Blank     []int
}

// signinSheet renders an event's sign-in sheet (签到表) for printing on
// A4: every booking holding a seat, by slot, with a column to sign, and a
// few empty rows for residents who come without booking.
func (s *Server) signinSheet(w http.ResponseWriter, r *http.Request) error {
	e, list, err := s.eventBookingsFor(r)
	if err != nil {
		return err
	}
	c, err := s.Store.Community(r.Context())
	if err != nil {
		return err
	}
	name := c.Name
	if e.CommunityName != "" {
		name = e.CommunityName // the host's, whichever community the staff member works in now
	}
	p := signinPage{Community: name, Event: e, Place: e.Place, Printed: s.Now().In(s.Location).Format("2006-01-02 15:04")}
	if len(e.Slots) > 0 {
		p.Day = chorus.FormatDay(e.Slots[0].Start.In(s.Location))
		if last := e.Slots[len(e.Slots)-1].Start.In(s.Location); chorus.FormatDay(last) != p.Day {
			p.Day += " 至 " + chorus.FormatDay(last)
		}
	}
	oneDay := !strings.Contains(p.Day, "至")
	for _, b := range list {
		if !b.Status.HoldsSeat() {
			continue
		}
		slot := s.slotLabel(b.SlotStart, b.SlotEnd)[5:] // 12-05 09:00-09:15
		if oneDay {
			slot = slot[6:] // 09:00-09:15
		}
		row := signinRow{N: len(p.Rows) + 1, Slot: slot, Name: b.Name,
			Phone: chorus.MaskPhone(b.Phone), Code: b.Code}
		if !b.CheckedInAt.IsZero() {
			row.Checked = "已签到 " + b.CheckedInAt.In(s.Location).Format("15:04")
		}
		p.Rows = append(p.Rows, row)
	}
	p.Booked = len(p.Rows)
	for i := 0; i < signinBlankRows; i++ {
		p.Blank = append(p.Blank, p.Booked+i+1)
	}
	var buf bytes.Buffer
	if err := signinTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("render sign-in sheet: %w", err)
	}
	writePage(w, http.StatusOK, buf.Bytes())
	return nil
}

// pageCSP lets the server's own HTML pages use only their inline style.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// writePage writes one of the server's own HTML pages.
func writePage(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// wrapPage is wrap for HTML pages: an error is a short page in Chinese
// with a way to the console's login, not JSON.
func (s *Server) wrapPage(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fn(w, r)
		if err == nil {
			return
		}
		if chorus.ErrorCode(err) == chorus.EINTERNAL {
			s.Logger.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		var buf bytes.Buffer
		errorPageTemplate.Execute(&buf, chorus.ErrorMessage(err))
		writePage(w, ErrorStatus(err), buf.Bytes())
	})
}

var errorPageTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>出错了 - 社区工作台</title>
<style>body{font:18px/1.6 system-ui,"Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:40rem;padding:0 1rem;color:#1a1a1a}a{color:#0b4f9c}</style>
</head><body><main><h1>出错了</h1><p>{{.}}</p><p><a href="/staff">回到社区工作台</a></p></main></body></html>
`))

var signinTemplate = template.Must(template.New("signin").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>签到表 - {{.Event.Title}}</title>
<style>
  @page { size: A4 portrait; margin: 12mm 10mm 14mm; }
  * { box-sizing: border-box; }
  body { font: 16px/1.5 system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; color: #000; background: #fff;
    margin: 1.5rem auto; max-width: 210mm; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin: 0 0 .25rem; text-align: center; }
  .meta { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; justify-content: center; margin: 0 0 1rem; }
  table { width: 100%; border-collapse: collapse; }
  th, td { border: 1px solid #000; padding: .35rem .5rem; text-align: left; vertical-align: middle; }
  th { background: #eee; font-weight: 700; }
  td { height: 2.6rem; }
  .n { width: 3rem; text-align: center; }
  .slot { width: 8.5rem; white-space: nowrap; }
  .phone, .code { white-space: nowrap; font-variant-numeric: tabular-nums; }
  .sign { width: 9rem; }
  .walkin td { color: #444; }
  .tips { margin: 1rem 0; padding: .75rem 1rem; border: 2px solid #0b4f9c; }
  .tips a { color: #0b4f9c; }
  footer { margin-top: .75rem; font-size: .85rem; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 11pt; }
    h1 { font-size: 16pt; }
    .tips { display: none; }
    thead { display: table-header-group; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    th { background: #eee; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    td { height: 9mm; }
  }
</style>
</head>
<body>
<main>
<div class="tips" role="note"><p>用浏览器的“打印”功能打印本页(A4 纵向)。打印时这段说明不会印出来。 <a href="/staff#/bookings/{{.Event.ID}}">返回预约名单</a></p></div>
<h1>{{.Community}} · {{.Event.Title}} 签到表</h1>
<p class="meta"><span>日期:{{.Day}}</span><span>地点:{{.Place}}</span><span>已预约:{{.Booked}} 人</span></p>
<table>
<thead><tr><th class="n" scope="col">序号</th><th class="slot" scope="col">时段</th><th scope="col">姓名</th><th class="phone" scope="col">手机号</th><th class="code" scope="col">签到码</th><th class="sign" scope="col">签名</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td class="n">{{.N}}</td><td class="slot">{{.Slot}}</td><td>{{.Name}}</td><td class="phone">{{.Phone}}</td><td class="code">{{.Code}}</td><td class="sign">{{.Checked}}</td></tr>
{{end}}{{range .Blank}}<tr class="walkin"><td class="n">{{.}}</td><td class="slot"></td><td></td><td class="phone"></td><td class="code"></td><td class="sign"></td></tr>
{{end}}</tbody>
</table>
<footer>最后{{len .Blank}}行留给没有预约、现场登记的居民。手机号只显示前三位和后四位。打印时间:{{.Printed}}</footer>
</main>
</body>
</html>
`))
