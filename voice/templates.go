package voice

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
	"github.com/chorus-community/chorus/sms"
)

// Template is one approved TTS template: what a call says for a kind of
// message, with the SMS message's parameters spoken (chorus.Spoken), and
// for an IVR call the keys it takes.
type Template struct {
	Kind   chorus.MessageKind
	Code   string   // the provider's TTS template code, TTS_123456
	Params []string // the ${var} names, the same as the SMS template's where they overlap
	Text   string   // the text as registered
	// Keys are what each key does, as the SMS reply with that digit
	// would; none: a spoken notification (SingleCallByTts).
	Keys []Key
}

// Key is one key an IVR call takes.
type Key struct {
	Digit  string             // "1"
	Prompt chorus.MessageKind // the prompt played at once after the key (a template of its own)
}

// The prompts played after a key, and at the end of an IVR call. They say
// the key was heard, not what it did: that is decided after the call, with
// the same rules as an SMS reply, and a change is told by SMS to the
// family and, when it matters, by another call.
const (
	PromptKey1 chorus.MessageKind = "voice_key_1"
	PromptKey2 chorus.MessageKind = "voice_key_2"
	PromptBye  chorus.MessageKind = "voice_bye"
)

// builtin is the catalogue: texts follow the provider's rules (no # / : -
// % ¥ 【 】, times as words, no links, never all variables) and say who
// calls first, for residents wary of fraud. Placeholders codes TTS_CHORUS_*
// are replaced by the approved ones (CHORUS_VOICE_TEMPLATES).
var builtin = []Template{
	{Kind: chorus.MsgBookingConfirm, Code: "TTS_CHORUS_BOOKING",
		Text: "您好,这里是${sign}。您预约了${event},时间是${time},地点在${place}。确认请按1,取消请按2。",
		Keys: []Key{{"1", PromptKey1}, {"2", PromptKey2}}},
	{Kind: chorus.MsgBookingBooked, Code: "TTS_CHORUS_BOOKED",
		Text: "您好,这里是${sign}。您预约了${event},时间是${time},地点在${place}。不能来请按2。",
		Keys: []Key{{"2", PromptKey2}}},
	{Kind: chorus.MsgReminder, Code: "TTS_CHORUS_REMINDER",
		Text: "您好,这里是${sign}。提醒您,${event}在${time},地点在${place}。不能来请按2。",
		Keys: []Key{{"2", PromptKey2}}},
	{Kind: chorus.MsgWaitlistOffer, Code: "TTS_CHORUS_WAITLIST_OFFER",
		Text: "您好,这里是${sign}。${event},${time},有空位了,为您保留${hours}小时。要这个名额请按1,不要请按2。",
		Keys: []Key{{"1", PromptKey1}, {"2", PromptKey2}}},
	{Kind: chorus.MsgCancelled, Code: "TTS_CHORUS_CANCELLED",
		Text: "您好,这里是${sign}。您${time}的${event}预约已经取消了。有疑问请找社区工作人员。"},
	{Kind: chorus.MsgHaircutAccepted, Code: "TTS_CHORUS_HAIRCUT",
		Text: "您好,这里是${sign}。${partner}已经接单,${time}上门理发,请在家等候。"},
	{Kind: chorus.MsgOrderConfirm, Code: "TTS_CHORUS_ORDER_CONFIRM",
		Text: "您好,这里是${sign}。您在社区自助机申请了${service},${time}上门。确认请按1,取消请按2。",
		Keys: []Key{{"1", PromptKey1}, {"2", PromptKey2}}},
	{Kind: PromptKey1, Code: "TTS_CHORUS_KEY_1", Text: "收到,您按了1。谢谢您,再见。"},
	{Kind: PromptKey2, Code: "TTS_CHORUS_KEY_2", Text: "收到,您按了2。谢谢您,再见。"},
	{Kind: PromptBye, Code: "TTS_CHORUS_BYE", Text: "没有听到按键。社区工作人员会再联系您,再见。"},
}

// forbidden are the characters a TTS template may not hold.
const forbidden = "#/:-%¥【】"

// Catalogue holds the voice templates. Read-only once made.
type Catalogue struct {
	templates map[chorus.MessageKind]Template
}

// NewCatalogue returns the built-in catalogue with the approved codes in
// codes (as sms.ParseCodes reads them) in place of the placeholders.
func NewCatalogue(codes map[chorus.MessageKind]string) (*Catalogue, error) {
	c := &Catalogue{templates: map[chorus.MessageKind]Template{}}
	for _, t := range builtin {
		t.Params = sms.TemplateParams(t.Text)
		c.templates[t.Kind] = t
	}
	for kind, code := range codes {
		t, ok := c.templates[kind]
		if !ok {
			return nil, chorus.Errorf(chorus.EINVALID, "没有%q这种语音模板。", kind)
		}
		if code == "" || len(code) > 64 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			return nil, chorus.Errorf(chorus.EINVALID, "语音模板%s的编号%q不正确。", kind, code)
		}
		t.Code = code
		c.templates[kind] = t
	}
	return c, nil
}

// Template returns the template of kind: false when that kind is never
// spoken (it goes by SMS only).
func (c *Catalogue) Template(kind chorus.MessageKind) (Template, bool) {
	t, ok := c.templates[kind]
	return t, ok
}

// Templates returns every template, ordered by kind, for docs/operations.md
// and the console.
func (c *Catalogue) Templates() []Template {
	out := make([]Template, 0, len(c.templates))
	for _, t := range c.templates {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Call turns an outbox message into a call: its SMS parameters spoken
// (chorus.Spoken), sign the community's name as it introduces itself, the
// menu of an IVR call. It fails with EINVALID for a kind that is never
// spoken or parameters that do not fit.
func (c *Catalogue) Call(m chorus.Message, sign string) (Call, error) {
	t, ok := c.templates[m.Kind]
	if !ok {
		return Call{}, chorus.Errorf(chorus.EINVALID, "%s 这种通知没有语音模板,只发短信。", m.Kind)
	}
	vars := map[string]string{}
	total := 0
	for _, p := range t.Params {
		v := m.Params[p]
		if p == "sign" {
			v = sign
		}
		v = strings.TrimSpace(chorus.Spoken(v))
		if v == "" {
			return Call{}, chorus.Errorf(chorus.EINVALID, "语音%s缺少参数%s。", m.Kind, p)
		}
		vars[p] = v
		total += utf8.RuneCountInString(v)
	}
	if total >= maxParams {
		return Call{}, chorus.Errorf(chorus.EINVALID, "语音%s的参数太长了。", m.Kind)
	}
	call := Call{ID: m.ID, Phone: m.Phone, Kind: m.Kind, Code: t.Code, Params: vars, Text: render(t.Text, vars)}
	for _, k := range t.Keys {
		call.Menu = append(call.Menu, MenuKey{Key: k.Digit, Code: c.templates[k.Prompt].Code})
	}
	if len(call.Menu) > 0 {
		call.ByeCode = c.templates[PromptBye].Code
	}
	return call, nil
}

// render fills text's variables, for logs.
func render(text string, vars map[string]string) string {
	for k, v := range vars {
		text = strings.ReplaceAll(text, "${"+k+"}", v)
	}
	return text
}
