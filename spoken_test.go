package chorus_test

import (
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

func TestSpoken(t *testing.T) {
	for in, want := range map[string]string{
		"12月5日周六09:00":       "十二月五日星期六上午九点",
		"12月5日周六09:00-09:15": "十二月五日星期六上午九点到九点一刻",
		"1月18日周一14:30":       "一月十八日星期一下午两点半",
		"12:00":              "中午十二点",
		"19:20":              "晚上七点二十分",
		"08:05":              "上午八点零五分",
		"10:45":              "上午十点三刻",
		"签到码447511":          "签到码四四七五幺幺",
		"为您保留2小时":            "为您保留两小时",
		"12月22日周二起":          "十二月二十二日星期二起",
		"11:30-14:00":        "上午十一点半到下午两点",
		"免费义诊":               "免费义诊",
		"【光华街社区】#1/2%":       " 光华街社区  一 两 ",
		"12月2日周三上午":          "十二月二日星期三上午",
	} {
		if got := chorus.Spoken(in); got != want {
			t.Errorf("Spoken(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSpoken: whatever the text, no digit and no symbol a voice template
// refuses is left.
func FuzzSpoken(f *testing.F) {
	f.Add("12月5日周六09:00-09:15")
	f.Add("签到码447511,2小时")
	f.Fuzz(func(t *testing.T, s string) {
		out := chorus.Spoken(s)
		for _, r := range out {
			if (r >= '0' && r <= '9') || strings.ContainsRune("#/:-%¥【】", r) {
				t.Fatalf("Spoken(%q) = %q keeps %q", s, out, r)
			}
		}
	})
}
