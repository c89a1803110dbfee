package chorus

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Text that people type — names, titles, places, addresses, notes — is
// shown to others and much of it goes into SMS template parameters. The
// checks here are the one place that decides what such text may hold.

// invisible reports whether r is a character a reader cannot see that
// changes what they read: bidirectional controls (RLO/LRO/… can make
// "1502室" display as "室2051"), zero-width characters (two names that
// look the same but differ) and the like.
func invisible(r rune) bool {
	switch {
	case r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069', // embeddings, overrides, isolates
		r == '\u200E', r == '\u200F', r == '\u061C', // LRM, RLM, ALM
		r >= '\u200B' && r <= '\u200D', r == '\u2060', r == '\uFEFF', r == '\u180E', // zero-width
		r == '\u2028', r == '\u2029', r == '\u00AD': // line/paragraph separators, soft hyphen
		return true
	}
	return false
}

// urlRE finds what an SMS reader's phone would turn into a link: a scheme,
// www., or a host name with a common top-level domain.
var urlRE = regexp.MustCompile(`(?i)(https?:|ftp:|www\.|[a-z0-9-]+\.(com|cn|net|org|top|xyz|cc|vip|info|io|me|co|site|shop|club|link|ly)(\b|/|$))`)

// SMSTextProblem returns why s may not go into an SMS template parameter,
// or "" when it may: no 【】 (the provider reads them as a signature), no
// "${" (a template variable), no web address (a link from the community's
// number is how fraud starts), no control or invisible characters.
func SMSTextProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "有无效字符"
	case strings.ContainsAny(s, "\u3010\u3011"):
		return "不能包含【】符号"
	case strings.Contains(s, "${"):
		return "不能包含“${”"
	case urlRE.MatchString(s):
		return "不能包含网址"
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return "不能包含换行或控制字符"
		}
		if invisible(r) {
			return "含有看不见的控制字符(如文字方向符、零宽字符),请删掉后重新输入"
		}
	}
	return ""
}

// checkSMSText checks a required single-line text that is shown to
// others or sent in SMS — a name, a title, a place: short, and nothing
// SMSTextProblem refuses.
func checkSMSText(field, s string, max int) error {
	if err := checkName(field, s, max); err != nil {
		return err
	}
	if p := SMSTextProblem(s); p != "" {
		return Errorf(EINVALID, "%s%s。", field, p)
	}
	return nil
}

// checkOptionalSMSText is checkSMSText for a text that may be empty.
func checkOptionalSMSText(field, s string, max int) error {
	if s == "" {
		return nil
	}
	return checkSMSText(field, s, max)
}

// Ellipsize fits s into n characters for an SMS parameter where a cut
// keeps the meaning (an event's or a partner's name): the first n-1
// characters and "…". Never use it on an address, a room, a place, a time
// or a code: those are refused at creation when too long instead.
func Ellipsize(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
