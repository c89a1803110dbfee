package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/chorus-community/chorus"
)

// certificateView is what the 志愿服务记录证明 page shows.
type certificateView struct {
	*chorus.Certificate
	Hours  string // the confirmed hours, 7.5小时
	Issued string // 2026年12月3日
	Rows   []certificateRow
	ID     int64
}

type certificateRow struct {
	N                     int
	Activity, Kind, Dates string
	Times                 int
	Hours                 string
}

// certificatePage is GET /staff/volunteers/{id}/certificate?year=2026: a
// printable A4 志愿服务记录证明 of confirmed hours only, with the
// community's name, the person, the activities, a serial number and the
// issue date.
func (s *Server) certificatePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	year, err := s.yearParam(r)
	if err != nil {
		return err
	}
	c, err := s.Volunteers.Certificate(r.Context(), id, year)
	if err != nil {
		return err
	}
	v := certificateView{Certificate: c, Hours: chorus.FormatMinutes(c.Minutes), ID: id,
		Issued: fmt.Sprintf("%d年%d月%d日", c.Issued.Year(), c.Issued.Month(), c.Issued.Day())}
	for i, l := range c.Lines {
		dates := l.First
		if l.Last != l.First {
			dates += " 至 " + l.Last
		}
		v.Rows = append(v.Rows, certificateRow{N: i + 1, Activity: l.Activity, Kind: l.Kind, Dates: dates, Times: l.Times,
			Hours: chorus.FormatMinutes(l.Minutes)})
	}
	var buf bytes.Buffer
	if err := certificateTemplate.Execute(&buf, v); err != nil {
		return fmt.Errorf("render certificate: %w", err)
	}
	writePage(w, http.StatusOK, buf.Bytes())
	return nil
}

var certificateTemplate = template.Must(template.New("certificate").Parse(`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>志愿服务记录证明 - {{.Name}}</title>
<style>
  @page { size: A4 portrait; margin: 20mm 18mm; }
  * { box-sizing: border-box; }
  body { font: 17px/1.7 "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #000; background: #fff;
    margin: 1.5rem auto; max-width: 210mm; padding: 0 1rem; }
  h1 { font-size: 2rem; letter-spacing: .3em; text-align: center; margin: 1rem 0 .5rem; }
  .serial { text-align: right; font-size: .9rem; font-variant-numeric: tabular-nums; }
  .body { text-indent: 2em; margin: 1.5rem 0; }
  .total { font-weight: 700; }
  table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
  th, td { border: 1px solid #000; padding: .35rem .5rem; text-align: left; }
  th { background: #eee; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .sign { margin-top: 3rem; text-align: right; line-height: 2.2; }
  .note { font-size: .85rem; color: #333; margin-top: 2rem; }
  .tips { margin: 1rem 0; padding: .75rem 1rem; border: 2px solid #0b4f9c; }
  .tips a { color: #0b4f9c; }
  @media print {
    body { margin: 0; max-width: none; padding: 0; font-size: 12pt; }
    .tips { display: none; }
    th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    tr { break-inside: avoid; }
  }
</style>
</head>
<body>
<main>
<div class="tips" role="note"><p>用浏览器的“打印”功能打印本页(A4 纵向),盖章后交给志愿者。打印时这段说明不会印出来。 <a href="/staff#/volunteers">返回志愿者名单</a></p></div>
<p class="serial">编号:<span id="serial">{{.Serial}}</span></p>
<h1>志愿服务记录证明</h1>
<p class="body">兹证明 <strong id="name">{{.Name}}</strong>{{if .Partner}}(<span id="partner">{{.Partner}}</span>){{end}}
于 <span id="year">{{.Year}}</span> 年在{{.Community}}参加志愿服务 <span id="times">{{.Times}}</span> 次,
经确认的服务时长共计 <span class="total" id="hours">{{.Hours}}</span>。</p>
{{if .Rows}}
<table id="lines">
<thead><tr><th>序号</th><th>活动</th><th>类别</th><th>日期</th><th>次数</th><th>确认时长</th></tr></thead>
<tbody>
{{range .Rows}}<tr><td class="num">{{.N}}</td><td>{{.Activity}}</td><td>{{.Kind}}</td><td>{{.Dates}}</td><td class="num">{{.Times}}</td><td class="num">{{.Hours}}</td></tr>
{{end}}</tbody>
</table>
{{else}}<p id="none">本年度暂无经确认的服务时长。</p>{{end}}
<p>特此证明。</p>
<div class="sign"><p id="community">{{.Community}}(盖章)</p><p>开具日期:<span id="issued">{{.Issued}}</span></p></div>
<p class="note">本证明只记载经社区工作人员或活动负责人确认的服务时长;未确认的时长不计入。</p>
</main>
</body>
</html>
`))
