package sms

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/chorus-community/chorus"
)

// ReplyKind is what a reply means; it is the domain's chorus.Intent, so a
// parsed reply goes straight into a chorus.Inbound.
type ReplyKind = chorus.Intent

// Reply kinds.
const (
	ReplyConfirm  ReplyKind = chorus.IntentConfirm  // 1, 确认, 好的, 可以 …
	ReplyCancel   ReplyKind = chorus.IntentCancel   // 2, 取消, 不去了 …
	ReplyOptOut   ReplyKind = chorus.IntentOptOut   // R, TD, T, N, 退订, 拒收
	ReplyAccept   ReplyKind = chorus.IntentAccept   // 接单1024, 接1024: a partner takes an order
	ReplyDone     ReplyKind = chorus.IntentDone     // 完成1024
	ReplyGiveBack ReplyKind = chorus.IntentGiveBack // 退1024, 退单1024
	// ReplyVenueAgree, ReplyVenueRefuse and ReplyVenueWithdraw answer a
	// request to use a partner's venue: 同意1024, 不同意1024 那天有会
	// (the text after the number is the reason), and later 取消1024 (a
	// number is needed: a bare 取消 is a resident's cancel).
	ReplyVenueAgree    ReplyKind = chorus.IntentVenueAgree
	ReplyVenueRefuse   ReplyKind = chorus.IntentVenueRefuse
	ReplyVenueWithdraw ReplyKind = chorus.IntentVenueWithdraw
	// ReplyJoin is a volunteer taking a place on a shift: 参加1024 or
	// 报名1024 (a number is needed: a bare 参加 confirms).
	ReplyJoin ReplyKind = chorus.IntentJoin
	// ReplyVolunteer is the standing keyword 志愿者 (我要当志愿者 …): the
	// phone joins the volunteers.
	ReplyVolunteer ReplyKind = chorus.IntentVolunteer
	// ReplyDispute is a resident's 不属实 to the hours SMS of a help
	// request (2 there means the same).
	ReplyDispute ReplyKind = chorus.IntentDispute
	// ReplyLeaderConfirm is an activity leader's 确认1024: the hours of
	// shift 1024 they were sent are right (a number is needed: a bare 确认
	// confirms a booking).
	ReplyLeaderConfirm ReplyKind = chorus.IntentLeaderConfirm
	ReplyUnknown       ReplyKind = chorus.IntentUnknown // anything else: for staff
)

// Reply is a parsed SMS reply.
type Reply struct {
	Kind ReplyKind
	// Order is the order number of an Accept, Done or GiveBack; 0 when
	// none was given (接单 alone: the caller decides which order is meant).
	Order int64
	// Minutes is the time a volunteer reports with a Done (完成1024 1.5:
	// 90), rounded down to the quarter hour; 0 when none was given.
	Minutes int
}

// MaxReplyBytes bounds what ParseReply reads: a reply longer than a few
// SMS is a letter for staff, not a command.
const MaxReplyBytes = 500

// maxOrderDigits keeps an order number within int64.
const maxOrderDigits = 18

// Tokens that make up simple replies. A reply is understood when, once
// cleaned, it is made only of tokens of one kind and fillers: "好的,谢谢"
// confirms, "1 确认" confirms, "1不去" is ambiguous and goes to staff.
var (
	confirmTokens = []string{"1", "确认", "确定", "是", "是的", "好", "好的", "对", "去", "我去", "会去", "要去",
		"可以", "行", "参加", "确认参加", "ok", "okay", "y", "yes", "\U0001F44D", "\U0001F44C"}
	cancelTokens = []string{"2", "取消", "取消预约", "不去", "不去了", "不参加", "不参加了", "去不了", "来不了",
		"不来", "不来了", "不要了", "放弃", "no"}
	optOutTokens = []string{"r", "td", "t", "n", "退订", "拒收"}
	fillerTokens = []string{"回复", "谢谢", "谢谢你", "谢谢您", "多谢", "您好", "你好", "的", "了", "啊", "呀",
		"吧", "哦", "噢", "嗯", "哈", "啦", "呢", "我", "要", "收到"}
)

// volunteerWords are the whole replies that ask to become a volunteer.
var volunteerWords = map[string]bool{"志愿者": true, "当志愿者": true, "我要当志愿者": true, "做志愿者": true,
	"我要做志愿者": true, "报名志愿者": true, "我想当志愿者": true}

// disputeWords are the whole replies that say a volunteer's hours are not
// true.
var disputeWords = map[string]bool{"不属实": true, "不真实": true, "没来过": true, "没有来过": true, "没来": true, "没有来": true}

// leaderConfirmRE reads a leader's 确认1024 (确认时长1024), cleaned.
var leaderConfirmRE = regexp.MustCompile(`^确认(?:时长)?(\d{1,18})$`)

// Order commands: the word next to the number says what to do with it.
var orderVerbs = map[string]ReplyKind{
	"接": ReplyAccept, "接单": ReplyAccept, "接单号": ReplyAccept,
	"确认接单": ReplyAccept, "抢单": ReplyAccept,
	"完成": ReplyDone, "已完成": ReplyDone, "完工": ReplyDone, "已完工": ReplyDone,
	"完成单号": ReplyDone, "做完": ReplyDone, "已做完": ReplyDone,
	"退": ReplyGiveBack, "退单": ReplyGiveBack, "退单号": ReplyGiveBack, "退回": ReplyGiveBack,
	"参加": ReplyJoin, "报名": ReplyJoin, "确认参加": ReplyJoin,
}

// bareVerbs are order commands understood without a number (Order 0).
// A lone 退 is not one: it may be a clipped 退订.
var bareVerbs = map[string]ReplyKind{
	"接单": ReplyAccept, "接": ReplyAccept,
	"完成": ReplyDone, "已完成": ReplyDone, "完工": ReplyDone,
	"退单": ReplyGiveBack,
}

// tokenKinds maps every token to its kind ("" for fillers); tokenLens
// lists token lengths in bytes, longest first, for greedy matching.
var tokenKinds, tokenLens = buildTokens()

func buildTokens() (map[string]ReplyKind, []int) {
	m := map[string]ReplyKind{}
	add := func(list []string, k ReplyKind) {
		for _, t := range list {
			m[t] = k
		}
	}
	add(fillerTokens, "")
	add(confirmTokens, ReplyConfirm)
	add(cancelTokens, ReplyCancel)
	add(optOutTokens, ReplyOptOut)
	seen := map[int]bool{}
	var lens []int
	for t := range m {
		if !seen[len(t)] {
			seen[len(t)] = true
			lens = append(lens, len(t))
		}
	}
	for i := range lens { // a handful of lengths: insertion sort, longest first
		for j := i; j > 0 && lens[j] > lens[j-1]; j-- {
			lens[j], lens[j-1] = lens[j-1], lens[j]
		}
	}
	return m, lens
}

// ParseReply reads what a resident or partner typed. It is tolerant of how
// people type on old phones: full-width digits and letters, any case,
// spaces, punctuation and emoji around the words, repeated keys (11),
// politeness (好的,谢谢). 退订 or 拒收 anywhere in a reply opts out: an
// opt-out must never be missed. Anything it cannot read with confidence is
// ReplyUnknown, for staff.
func ParseReply(text string) Reply {
	unknown := Reply{Kind: ReplyUnknown}
	if len(text) > MaxReplyBytes {
		return unknown
	}
	s := clean(text)
	if s == "" {
		return unknown
	}
	if strings.Contains(s, "退订") || strings.Contains(s, "拒收") {
		return Reply{Kind: ReplyOptOut}
	}
	if volunteerWords[s] {
		return Reply{Kind: ReplyVolunteer}
	}
	if disputeWords[s] {
		return Reply{Kind: ReplyDispute}
	}
	if m := leaderConfirmRE.FindStringSubmatch(s); m != nil {
		// 确认 first, then the number: "1确认" stays a resident's 1.
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n > 0 {
			return Reply{Kind: ReplyLeaderConfirm, Order: n}
		}
		return unknown
	}
	if r, ok := parseVenueCommand(s); ok {
		return r
	}
	if r, ok := parseDoneHours(text); ok {
		return r
	}
	if r, ok := parseOrderCommand(s); ok {
		return r
	}
	if strings.Trim(s, "1|") == "" {
		return Reply{Kind: ReplyConfirm}
	}
	if strings.Trim(s, "2|") == "" {
		return Reply{Kind: ReplyCancel}
	}
	return Reply{Kind: tokenKind(s)}
}

// clean folds full-width forms to ASCII, lower-cases letters, turns
// circled digits into digits and drops everything that is not a letter,
// a digit or one of the emoji tokens. Numbers that were apart stay apart:
// "1024,1025" becomes "1024|1025", which nothing matches.
func clean(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	gap, lastDigit := false, false
	for _, r := range text {
		switch {
		case r >= '\uFF01' && r <= '\uFF5E': // full-width ASCII forms
			r -= 0xFEE0
		case r >= '\u2460' && r <= '\u2468': // circled ①-⑨
			r = '1' + (r - '\u2460')
		}
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '\U0001F44D' || r == '\U0001F44C': // thumbs up, OK hand
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		default:
			gap = true
			continue
		}
		digit := isASCIIDigit(r)
		if gap && digit && lastDigit {
			b.WriteByte('|')
		}
		b.WriteRune(r)
		gap, lastDigit = false, digit
	}
	return b.String()
}

// doneHoursRE reads a volunteer's 完成1024 1.5 (小时): a done verb, the
// number, a separator, and hours with at most two decimals.
var doneHoursRE = regexp.MustCompile(`^\s*(?:已)?(?:完成|做完|完工)\s*0*(\d{1,18})\s*[,,、::\s]\s*(\d{0,2}(?:\.\d{1,2})?)\s*(?:个)?(?:小时|钟头|h)?\s*[。.!!]?\s*$`)

// parseDoneHours reads 完成1024 1.5 with full-width forms folded: a Done
// with the hours as minutes (chorus.HelpMinutes). Hours it cannot take (0,
// more than 8) leave the reply to staff.
func parseDoneHours(text string) (Reply, bool) {
	folded := strings.Map(func(r rune) rune {
		if r >= '\uFF01' && r <= '\uFF5E' {
			return r - 0xFEE0
		}
		if r == '\u3000' { // the ideographic space
			return ' '
		}
		return r
	}, text)
	m := doneHoursRE.FindStringSubmatch(strings.ToLower(folded))
	if m == nil || m[2] == "" {
		return Reply{}, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil || n <= 0 {
		return Reply{}, false
	}
	minutes, err := chorus.HelpMinutes(m[2])
	if err != nil {
		return Reply{}, false
	}
	return Reply{Kind: ReplyDone, Order: n, Minutes: minutes}, true
}

// parseOrderCommand reads 接1024, 接单 1024, 1024接单, 完成1024, 退单1024 and
// a bare 接单. The reply must hold one number at most, next to an order
// verb.
func parseOrderCommand(s string) (Reply, bool) {
	i := strings.IndexFunc(s, isASCIIDigit)
	if i < 0 {
		k, ok := bareVerbs[trimFillers(s)]
		return Reply{Kind: k}, ok
	}
	j := i + 1
	for j < len(s) && isASCIIDigit(rune(s[j])) {
		j++
	}
	if strings.IndexFunc(s[j:], isASCIIDigit) >= 0 {
		return Reply{}, false // two numbers
	}
	verb := trimFillers(s[:i] + s[j:])
	k, ok := orderVerbs[verb]
	if !ok {
		return Reply{}, false
	}
	num := strings.TrimLeft(s[i:j], "0")
	if len(num) > maxOrderDigits {
		return Reply{}, false
	}
	var order int64
	if num != "" {
		n, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return Reply{}, false
		}
		order = n
	}
	if k == ReplyJoin && order == 0 {
		return Reply{}, false // 参加0: no such shift
	}
	return Reply{Kind: k, Order: order}, true
}

// parseVenueCommand reads a venue approver's answer: 同意 or 同意1024,
// 不同意 or 不同意1024 with any reason after it, 取消1024. Besides a
// reason after 不同意, only fillers may surround the words.
func parseVenueCommand(s string) (Reply, bool) {
	s = trimLeadingFillers(s)
	var kind ReplyKind
	var rest string
	switch {
	case strings.HasPrefix(s, "不同意"):
		kind, rest = ReplyVenueRefuse, s[len("不同意"):]
	case strings.HasPrefix(s, "同意"):
		kind, rest = ReplyVenueAgree, s[len("同意"):]
	case strings.HasPrefix(s, "取消"):
		kind, rest = ReplyVenueWithdraw, s[len("取消"):]
	default:
		return Reply{}, false
	}
	j := 0
	for j < len(rest) && isASCIIDigit(rune(rest[j])) {
		j++
	}
	num, tail := strings.TrimLeft(rest[:j], "0"), rest[j:]
	if j == 0 && kind == ReplyVenueWithdraw {
		return Reply{}, false // 取消 alone: a resident's cancel
	}
	if kind != ReplyVenueRefuse && trimFillers(tail) != "" {
		return Reply{}, false // 同意1024不去, 取消1024 1025: for staff
	}
	if len(num) > maxOrderDigits {
		return Reply{}, false
	}
	var n int64
	if num != "" {
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			return Reply{}, false
		}
		n = v
	}
	if j > 0 && n == 0 {
		return Reply{}, false // 同意0: no such request
	}
	return Reply{Kind: kind, Order: n}, true
}

// trimLeadingFillers removes filler tokens at the start of s: 我同意 is 同意.
func trimLeadingFillers(s string) string {
	for changed := true; changed && s != ""; {
		changed = false
		for _, f := range fillerTokens {
			if t, ok := strings.CutPrefix(s, f); ok {
				s, changed = t, true
			}
		}
	}
	return s
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// trimFillers removes filler tokens at both ends of s: 我要接单 is 接单,
// 完成了谢谢 is 完成.
func trimFillers(s string) string {
	for changed := true; changed && s != ""; {
		changed = false
		for _, f := range fillerTokens {
			if t, ok := strings.CutSuffix(s, f); ok {
				s, changed = t, true
			}
			if t, ok := strings.CutPrefix(s, f); ok {
				s, changed = t, true
			}
		}
	}
	return s
}

// tokenKind splits s greedily into known tokens, longest first, and
// returns the one kind they share besides fillers, or ReplyUnknown.
func tokenKind(s string) ReplyKind {
	kind := ReplyKind("")
	for s != "" {
		matched := false
		for _, n := range tokenLens {
			if n > len(s) {
				continue
			}
			k, ok := tokenKinds[s[:n]]
			if !ok {
				continue
			}
			if k != "" {
				if kind != "" && kind != k {
					return ReplyUnknown // 1不去: two meanings
				}
				kind = k
			}
			s, matched = s[n:], true
			break
		}
		if !matched {
			return ReplyUnknown
		}
	}
	if kind == "" {
		return ReplyUnknown // only fillers: 谢谢
	}
	return kind
}
