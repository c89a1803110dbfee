package voice_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/internal/clocktest"
	"github.com/chorus-community/chorus/sms"
	"github.com/chorus-community/chorus/voice"
	"github.com/chorus-community/chorus/voice/voicefake"
)

// TestCatalogue_Rules: every text keeps the provider's rules, and every
// variable but sign is the SMS template's, so one message feeds both.
func TestCatalogue_Rules(t *testing.T) {
	vc, err := voice.NewCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := sms.NewCatalogue(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range vc.Templates() {
		if strings.ContainsAny(tpl.Text, "#/:-%¥【】") || strings.Contains(tpl.Text, "http") {
			t.Errorf("%s: %q holds a symbol the provider refuses", tpl.Kind, tpl.Text)
		}
		if n := len([]rune(tpl.Text)); n < 10 || n > 1000 {
			t.Errorf("%s: %d characters", tpl.Kind, n)
		}
		if len(tpl.Params) > 0 && !strings.Contains(tpl.Text, "${sign}") {
			t.Errorf("%s: the call does not say who is calling", tpl.Kind)
		}
		st, ok := sc.Template(tpl.Kind)
		for _, p := range tpl.Params {
			if p != "sign" && (!ok || !slices.Contains(st.Params, p)) {
				t.Errorf("%s: variable %s is not the SMS template's", tpl.Kind, p)
			}
		}
		for _, k := range tpl.Keys {
			if _, ok := vc.Template(k.Prompt); !ok || !strings.Contains(tpl.Text, "按"+k.Digit) {
				t.Errorf("%s: key %s has no prompt or is not offered", tpl.Kind, k.Digit)
			}
		}
	}
	if _, err := voice.NewCatalogue(map[chorus.MessageKind]string{"nope": "TTS_1"}); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := voice.NewCatalogue(map[chorus.MessageKind]string{chorus.MsgReminder: "TTS 1"}); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("bad code: %v", err)
	}
}

// TestCatalogue_Call: a booking's message becomes an IVR call, spoken,
// and the fake (holding the catalogue as its approved templates) places
// it through the real SDK.
func TestCatalogue_Call(t *testing.T) {
	vc, _ := voice.NewCatalogue(map[chorus.MessageKind]string{chorus.MsgBookingConfirm: "TTS_270001"})
	m := chorus.Message{ID: 42, Phone: "13800001111", Kind: chorus.MsgBookingConfirm,
		Params: map[string]string{"event": "免费义诊", "time": "12月5日周六09:00", "place": "社区活动室", "code": "447511"}}
	c, err := vc.Call(m, "光华街社区")
	if err != nil {
		t.Fatal(err)
	}
	if c.Code != "TTS_270001" || c.Params["time"] != "十二月五日星期六上午九点" || c.Params["sign"] != "光华街社区" ||
		len(c.Menu) != 2 || c.Menu[0].Code != "TTS_CHORUS_KEY_1" || c.ByeCode != "TTS_CHORUS_BYE" || c.ID != 42 {
		t.Errorf("call = %+v", c)
	}
	if _, ok := c.Params["code"]; ok {
		t.Error("the check-in code is spoken to whoever answers")
	}
	if !strings.Contains(c.Text, "这里是光华街社区。您预约了免费义诊,时间是十二月五日星期六上午九点") {
		t.Errorf("text = %s", c.Text)
	}
	if _, err := vc.Call(chorus.Message{Kind: chorus.MsgVerifyCode}, "光华街社区"); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("a verification code by voice: %v", err)
	}
	if _, err := vc.Call(chorus.Message{Kind: chorus.MsgReminder, Params: map[string]string{"event": "x"}}, "s"); chorus.ErrorCode(err) != chorus.EINVALID {
		t.Errorf("missing parameter: %v", err)
	}

	approved := map[string][]string{}
	for _, tpl := range vc.Templates() {
		approved[tpl.Code] = tpl.Params
	}
	clock := clocktest.New(time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC))
	f := voicefake.New(voicefake.Options{Templates: approved, ShowNumbers: []string{showNumber}, Now: clock.Now})
	defer f.Close()
	a, err := voice.NewAlibaba(voice.AlibabaConfig{AccessKeyID: voicefake.DefaultAccessKeyID, AccessKeySecret: voicefake.DefaultAccessKeySecret,
		ShowNumber: showNumber, Endpoint: f.Endpoint, Scheme: "http"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.Place(context.Background(), c); err != nil {
		t.Fatalf("placing the catalogue's call: %v", err)
	}
	got := f.Calls()[0]
	if got.Params["event"] != "免费义诊" || got.Menu[1].Code != "TTS_CHORUS_KEY_2" {
		t.Errorf("placed = %+v", got)
	}
}

// TestCatalogue_Kinds: the catalogue speaks exactly the kinds the domain
// marks as spoken (chorus.KindRule.Voice), besides its own prompts.
func TestCatalogue_Kinds(t *testing.T) {
	vc, _ := voice.NewCatalogue(nil)
	for _, k := range chorus.MessageKinds() {
		if _, ok := vc.Template(k); ok != k.Spoken() {
			t.Errorf("%s: a voice template %v, spoken %v", k, ok, k.Spoken())
		}
	}
	for _, tpl := range vc.Templates() {
		if _, known := tpl.Kind.Rule(); !known && !strings.HasPrefix(string(tpl.Kind), "voice_") {
			t.Errorf("%s: a template for no kind", tpl.Kind)
		}
	}
}
