package chorus_test

import (
	"strings"
	"testing"

	"github.com/chorus-community/chorus"
)

func TestNormalizePhone(t *testing.T) {
	// Full-width characters are written as escapes: editors and tools may
	// quietly turn what is typed into ASCII.
	const fw13812345678 = "\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18"

	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct{ in, want string }{
			{"13812345678", "13812345678"},
			{"  13812345678\t", "13812345678"},
			{"138 1234 5678", "13812345678"},
			{"138-1234-5678", "13812345678"},
			{"138.1234.5678", "13812345678"},
			{"(138)12345678", "13812345678"},
			{"\uff08138\uff0912345678", "13812345678"},      // full-width brackets
			{"138\u30001234\u30005678", "13812345678"},      // ideographic spaces
			{"138\uff0d1234\u20145678", "13812345678"},      // full-width hyphen, em dash
			{fw13812345678, "13812345678"},                  // full-width digits
			{"\uff11\uff13\uff18 1234 5678", "13812345678"}, // mixed widths
			{"+8613812345678", "13812345678"},
			{"+86 138 1234 5678", "13812345678"},
			{"\uff0b\uff18\uff16" + fw13812345678, "13812345678"}, // full-width +86
			{"(+86) 138-1234-5678", "13812345678"},
			{"008613812345678", "13812345678"},
			{"0086 138 1234 5678", "13812345678"},
			{"8613812345678", "13812345678"},
			{"86 138 1234 5678", "13812345678"},
			{"19912345678", "19912345678"}, // the second digit may be 3 to 9
			{"13012345678", "13012345678"},
		} {
			got, err := chorus.NormalizePhone(tc.in)
			if err != nil {
				t.Errorf("NormalizePhone(%q): %v", tc.in, err)
			} else if got != tc.want {
				t.Errorf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
			}
		}
	})

	t.Run("ErrInvalid", func(t *testing.T) {
		for _, in := range []string{
			"",
			"   ",
			"1381234567",     // 10 digits
			"138123456789",   // 12 digits
			"12812345678",    // second digit 2
			"11812345678",    // second digit 1
			"23812345678",    // not a mobile
			"010-12345678",   // a landline
			"86 1381234567",  // prefix but 10 digits left
			"861381234567",   // 12 digits starting 86
			"0086138123456",  // 0086 with too few digits
			"+8612812345678", // +86 then a bad number
			"+1 4155552671",  // not mainland
			"138+12345678",   // a plus in the middle
			"138****5678",    // masked
			"138-1234-567a",  // a letter
			"一三八一二三四五六七八",    // Chinese numerals
			"13812345678\n",  // a newline is not decoration
			"\uff11\uff13\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17", // 10 full-width digits
			"138" + strings.Repeat(" ", 62) + "12345678",                   // too long to look at
		} {
			got, err := chorus.NormalizePhone(in)
			if code := chorus.ErrorCode(err); code != chorus.EINVALID {
				t.Errorf("NormalizePhone(%q) = %q, %v; want an %s error", in, got, err, chorus.EINVALID)
				continue
			}
			if got != "" || chorus.ErrorMessage(err) == "" {
				t.Errorf("NormalizePhone(%q) = %q, message %q", in, got, chorus.ErrorMessage(err))
			}
		}
	})
}

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13812345678", "138****5678"},
		{"19900001111", "199****1111"},
		{"1234567", "123****4567"},
		{"123456", "****"},
		{"", "****"},
	} {
		if got := chorus.MaskPhone(tc.in); got != tc.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
