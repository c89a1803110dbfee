package sms_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

var cst = time.FixedZone("CST", 8*60*60)

func TestParseReports(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		body := `[{"phone_number":"13811112222","send_time":"2026-12-05 10:00:00","report_time":"2026-12-05 10:00:03",
			"success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"900619746936498440^0","out_id":"67890"},
			{"phone_number":"+86 138 1111 3333","success":false,"err_code":"MK:0001","err_msg":"空号","sms_size":2,"biz_id":12345,"out_id":""}]`
		got, err := sms.ParseReports([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		want := []sms.Report{
			{Phone: "13811112222", SendTime: time.Date(2026, 12, 5, 10, 0, 0, 0, cst), ReportTime: time.Date(2026, 12, 5, 10, 0, 3, 0, cst),
				Success: true, ErrCode: "DELIVERED", ErrMsg: "用户接收成功", SMSSize: 1, BizID: "900619746936498440^0", OutID: 67890},
			{Phone: "13811113333", ErrCode: "MK:0001", ErrMsg: "空号", SMSSize: 2, BizID: "12345"},
		}
		if len(got) != len(want) {
			t.Fatalf("got %d reports, want %d", len(got), len(want))
		}
		for i := range want {
			if g, w := got[i], want[i]; g.Phone != w.Phone || !g.SendTime.Equal(w.SendTime) || !g.ReportTime.Equal(w.ReportTime) ||
				g.Success != w.Success || g.ErrCode != w.ErrCode || g.ErrMsg != w.ErrMsg || g.SMSSize != w.SMSSize ||
				g.BizID != w.BizID || g.OutID != w.OutID {
				t.Errorf("report %d = %+v, want %+v", i, g, w)
			}
		}
		r := got[0].Receipt()
		if r.Phone != "13811112222" || r.OutID != 67890 || r.BizID != "900619746936498440^0" || !r.Success || !r.ReportedAt.Equal(want[0].ReportTime) {
			t.Errorf("Receipt = %+v", r)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		if got, err := sms.ParseReports([]byte(" [] ")); err != nil || len(got) != 0 {
			t.Errorf("got %v, %v", got, err)
		}
	})

	t.Run("ErrItems", func(t *testing.T) {
		body := `[{"phone_number":"13811112222","success":true,"biz_id":"1","out_id":"1"},
			{"phone_number":"1381111****","success":true,"biz_id":"2"},
			{"phone_number":"13811112222","success":true,"biz_id":"3","out_id":"abc"},
			{"phone_number":"13811112222","success":true,"biz_id":"4","out_id":"-4"},
			{"phone_number":"13811112222","biz_id":"5"},
			{"phone_number":"13811112222","success":"yes","biz_id":"6"},
			{"phone_number":"13811112222","success":true},
			{"phone_number":"13811112222","success":true,"biz_id":"has space"},
			42,
			{"phone_number":"13811112222","success":true,"biz_id":"10","out_id":10}]`
		got, err := sms.ParseReports([]byte(body))
		var ie *sms.ItemsError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v, want an *ItemsError", err)
		}
		var idx []int
		for _, it := range ie.Items {
			idx = append(idx, it.Index)
		}
		if fmt.Sprint(idx) != "[1 2 3 4 5 6 7 8]" {
			t.Errorf("bad items %v (%v)", idx, err)
		}
		if len(got) != 2 || got[0].OutID != 1 || got[1].OutID != 10 {
			t.Errorf("valid items %+v", got)
		}
	})

	for _, tt := range []struct{ name, body string }{
		{"ErrNotArray", `{"phone_number":"13811112222"}`},
		{"ErrEmpty", ``},
		{"ErrJSON", `[{"phone_number":`},
		{"ErrTooLarge", "[" + strings.Repeat(" ", sms.MaxPushBytes) + "]"},
		{"ErrTooMany", "[" + strings.Repeat("{},", sms.MaxPushItems) + "{}]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sms.ParseReports([]byte(tt.body))
			var ie *sms.ItemsError
			if err == nil || errors.As(err, &ie) || got != nil {
				t.Errorf("got %v, %v; want nothing and an envelope error", got, err)
			}
		})
	}
}

func TestParseUps(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		body := `[{"phone_number":"13800000000","content":"1","send_time":"2026-12-05 10:01:00","dest_code":"1234","sequence_id":"1234567890"},
			{"phone_number":"8613800000001","content":"接单 1024","send_time":"bad","dest_code":"","sequence_id":1234567891,"sign_name":"光华街社区"},
			{"phone_number":"13800000002","content":"","sequence_id":12345678901234567890}]`
		got, err := sms.ParseUps([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d ups, want 3", len(got))
		}
		if g := got[0]; g.Phone != "13800000000" || g.Content != "1" || !g.SendTime.Equal(time.Date(2026, 12, 5, 10, 1, 0, 0, cst)) ||
			g.DestCode != "1234" || g.SequenceID != "1234567890" {
			t.Errorf("up 0 = %+v", g)
		}
		if g := got[1]; g.Phone != "13800000001" || g.SequenceID != "1234567891" || g.SignName != "光华街社区" || !g.SendTime.IsZero() {
			t.Errorf("up 1 = %+v", g)
		}
		if g := got[2]; g.SequenceID != "12345678901234567890" {
			t.Errorf("up 2: a big sequence number must stay exact: %q", g.SequenceID)
		}
		in := got[1].Inbound()
		if in.Intent != chorus.IntentAccept || in.Order != 1024 || in.Phone != "13800000001" || in.SequenceID != "1234567891" {
			t.Errorf("Inbound = %+v", in)
		}
		if in := got[0].Inbound(); in.Intent != chorus.IntentConfirm || !in.SentAt.Equal(got[0].SendTime) {
			t.Errorf("Inbound = %+v", in)
		}
	})

	t.Run("ErrItems", func(t *testing.T) {
		body := `[{"phone_number":"12345","content":"1","sequence_id":"1"},
			{"phone_number":"13800000000","sequence_id":"2"},
			{"phone_number":"13800000000","content":"1"},
			{"phone_number":"13800000000","content":"1","sequence_id":"` + strings.Repeat("9", 65) + `"},
			{"phone_number":"13800000000","content":"1","sequence_id":{"a":1}},
			{"phone_number":"13800000000","content":"好的","sequence_id":"6"}]`
		got, err := sms.ParseUps([]byte(body))
		var ie *sms.ItemsError
		if !errors.As(err, &ie) || len(ie.Items) != 5 {
			t.Fatalf("err = %v, want 5 bad items", err)
		}
		if len(got) != 1 || got[0].SequenceID != "6" {
			t.Errorf("valid items %+v", got)
		}
	})

	t.Run("LongContent", func(t *testing.T) {
		b, _ := json.Marshal([]map[string]string{{"phone_number": "13800000000", "content": strings.Repeat("长", 3000), "sequence_id": "1"}})
		got, err := sms.ParseUps(b)
		if err != nil || len(got) != 1 || len([]rune(got[0].Content)) != 1000 {
			t.Errorf("got %d items, %v", len(got), err)
		}
	})
}

func TestPushOK(t *testing.T) {
	var v struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if err := json.Unmarshal(sms.PushOK, &v); err != nil || v.Code != 0 || v.Msg != "接收成功" {
		t.Errorf("PushOK = %s: %v", sms.PushOK, err)
	}
}

var mobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

func FuzzParseReports(f *testing.F) {
	f.Add([]byte(`[{"phone_number":"13811112222","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:00:00","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1","biz_id":"12345","out_id":"67890"}]`))
	f.Add([]byte(`[{"phone_number":"+8613811112222","success":false,"biz_id":1,"out_id":2,"sms_size":3}]`))
	f.Add([]byte(`[1,"a",null,{}]`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := sms.ParseReports(body)
		var ie *sms.ItemsError
		if err != nil && !errors.As(err, &ie) && got != nil {
			t.Fatalf("items returned with an envelope error: %v", err)
		}
		if len(got) > sms.MaxPushItems {
			t.Fatalf("%d items", len(got))
		}
		for _, r := range got {
			if !mobile.MatchString(r.Phone) || r.OutID < 0 || (r.OutID == 0 && r.BizID == "") || r.SMSSize < 0 || len(r.BizID) > 64 {
				t.Fatalf("invalid report accepted: %+v", r)
			}
		}
	})
}

func FuzzParseUps(f *testing.F) {
	f.Add([]byte(`[{"phone_number":"13800000000","content":"1","send_time":"2017-01-01 00:00:00","dest_code":"1234","sequence_id":"1234567890"}]`))
	f.Add([]byte(`[{"phone_number":"13800000000","content":"接单1024","sequence_id":1234567890,"sign_name":"光华街社区"}]`))
	f.Add([]byte(`[{"phone_number":"13800000000","content":"\ud800","sequence_id":1e3}]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := sms.ParseUps(body)
		var ie *sms.ItemsError
		if err != nil && !errors.As(err, &ie) && got != nil {
			t.Fatalf("items returned with an envelope error: %v", err)
		}
		for _, u := range got {
			if !mobile.MatchString(u.Phone) || u.SequenceID == "" || len(u.SequenceID) > 64 || len([]rune(u.Content)) > 1000 {
				t.Fatalf("invalid up accepted: %+v", u)
			}
			in := u.Inbound()
			if in.Order < 0 || in.Phone != u.Phone {
				t.Fatalf("Inbound = %+v", in)
			}
		}
	})
}
