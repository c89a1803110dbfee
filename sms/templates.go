package sms

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chorus-community/chorus"
)

// Template is one approved SMS template: the provider sends Text with each
// ${var} replaced, behind the 【signature】 it adds itself.
type Template struct {
	Kind         chorus.MessageKind
	Code         string   // the provider's template code, e.g. SMS_123456789
	Params       []string // the ${var} names, in order of first use
	Text         string   // the text as registered with the provider
	ExpectsReply bool     // the text asks for an answer (1/2, 接+number); from chorus.MessageKind.ExpectsReply
}

// builtin is the catalogue documented on Catalogue.
var builtin = []Template{
	{Kind: chorus.MsgBookingConfirm, Code: "SMS_CHORUS_BOOKING",
		Text: "您已预约${event},时间${time},地点${place},签到码${code}。回复1确认,回复2取消。"},
	{Kind: chorus.MsgBookingBooked, Code: "SMS_CHORUS_BOOKED",
		Text: "您已预约${event},时间${time},地点${place},签到码${code}。不能来请回复2。"},
	{Kind: chorus.MsgReminder, Code: "SMS_CHORUS_REMINDER",
		Text: "提醒:${event}将于${time}在${place}举行,签到码${code}。不能来请回复2。"},
	{Kind: chorus.MsgCancelled, Code: "SMS_CHORUS_CANCELLED",
		Text: "您${time}的${event}预约已取消。如有疑问请联系社区工作人员。"},
	{Kind: chorus.MsgWaitlisted, Code: "SMS_CHORUS_WAITLISTED",
		Text: "${event}(${time})已满,您已排入候补,有空位时会短信通知您。"},
	{Kind: chorus.MsgWaitlistOffer, Code: "SMS_CHORUS_WAITLIST_OFFER",
		Text: "${event}(${time})有空位了,为您保留${hours}小时。回复1确认,回复2放弃。"},
	{Kind: chorus.MsgEnrolled, Code: "SMS_CHORUS_ENROLLED",
		Text: "${programme}报名结果:${status}。详情请咨询社区工作人员。"},
	{Kind: chorus.MsgHaircutAccepted, Code: "SMS_CHORUS_HAIRCUT",
		Text: "${partner}已接单,将于${time}上门,请在家等候。"},
	{Kind: chorus.MsgPartnerOrder, Code: "SMS_CHORUS_PARTNER_ORDER",
		Text: "新派单${order}:${service},${estate}${room},${time}。回复接${order}接单。"},
	{Kind: chorus.MsgOrderUnclaimed, Code: "SMS_CHORUS_ORDER_UNCLAIMED",
		Text: "派单${order}无人接单:${service},${estate}${room},${time}。请尽快安排。"},
	{Kind: chorus.MsgDispatchUntold, Code: "SMS_CHORUS_DISPATCH_UNTOLD",
		Text: "派单${order}(${service})的短信未能发给任何合作单位,请电话联系。"},
	{Kind: chorus.MsgOrderTaken, Code: "SMS_CHORUS_ORDER_TAKEN",
		Text: "派单${order}已由其他单位接单,无需前往,谢谢。"},
	{Kind: chorus.MsgCheckinCode, Code: "SMS_CHORUS_CHECKIN_CODE",
		Text: "${event}的签到码是${code},签到时出示或输入即可。"},
	{Kind: chorus.MsgOptOutAck, Code: "SMS_CHORUS_OPTOUT",
		Text: "您已退订社区通知短信。如需恢复,请联系社区工作人员。"},
	{Kind: chorus.MsgReplyAck, Code: "SMS_CHORUS_REPLY_ACK",
		Text: "已为您${action}:${event},${time}。"},
	{Kind: chorus.MsgPartnerAck, Code: "SMS_CHORUS_PARTNER_ACK",
		Text: "已为您登记${action}:派单${order}(${service},${time})。"},
	{Kind: chorus.MsgReplyWhich, Code: "SMS_CHORUS_REPLY_WHICH",
		Text: "您有${count}个预约,无法确定要取消哪一个。请在社区自助机上取消,或联系社区工作人员。"},
	{Kind: chorus.MsgReplyUnclear, Code: "SMS_CHORUS_REPLY_UNCLEAR",
		Text: "您发来的编号${order}对应不止一件事,我们没有处理。社区工作人员会联系您。"},
	{Kind: chorus.MsgVerifyCode, Code: "SMS_CHORUS_VERIFY_CODE",
		Text: "验证码${code},5分钟内有效,用于在社区自助机查看或取消预约。不是您本人操作请忽略。"},
	{Kind: chorus.MsgOrderConfirm, Code: "SMS_CHORUS_ORDER_CONFIRM",
		Text: "您在社区自助机申请了${service},${time}上门。回复1确认后派单,回复2取消。"},
	{Kind: chorus.MsgVenueRequest, Code: "SMS_CHORUS_VENUE_REQUEST",
		Text: "申请借用${venue} ${time} ${event},回复同意${code}或不同意${code}"},
	{Kind: chorus.MsgVenueAck, Code: "SMS_CHORUS_VENUE_ACK",
		Text: "已登记您的答复:${action}借用${venue} ${time} ${event}。"},
	{Kind: chorus.MsgVenueAlert, Code: "SMS_CHORUS_VENUE_ALERT",
		Text: "场馆申请${code}(${venue} ${time} ${event}):${outcome},请处理。"},
	{Kind: chorus.MsgClassKeep, Code: "SMS_CHORUS_CLASS_KEEP",
		Text: "您已连续${count}次没来上${event},如要保留名额,请在${hours}小时内回复1;未回复的名额将让给候补的居民。"},
	{Kind: chorus.MsgSessionOff, Code: "SMS_CHORUS_SESSION_OFF",
		Text: "${event}${time}这节课停课:${reason}。以后的课照常上。"},
	{Kind: chorus.MsgClassEnrolled, Code: "SMS_CHORUS_CLASS_ENROLLED",
		Text: "您已报名${event},${time}上课,地点${place},签到码${code},每次上课出示或输入。"},
	{Kind: chorus.MsgSessionMakeup, Code: "SMS_CHORUS_SESSION_MAKEUP",
		Text: "${event}加一节补课:${time},地点${place},请按时参加。"},
	{Kind: chorus.MsgSessionHoliday, Code: "SMS_CHORUS_SESSION_HOLIDAY",
		Text: "${event}${time}逢${holiday}放假,这节课不上。以后的课照常上。"},
	{Kind: chorus.MsgVenueTomorrow, Code: "SMS_CHORUS_VENUE_TOMORROW",
		Text: "明天${venue}安排:${time} ${event},已有${people}人预约。"},
	{Kind: chorus.MsgPartnerMonth, Code: "SMS_CHORUS_PARTNER_MONTH",
		Text: "${month}贵单位为社区提供场馆${hours}小时,举办活动${events}场,服务居民${people}人次。谢谢!"},
	{Kind: chorus.MsgShiftCallOut, Code: "SMS_CHORUS_SHIFT_CALLOUT",
		Text: "${activity}招募志愿者:${time},${place},${task},还需${count}人。回复参加${code}报名。"},
	{Kind: chorus.MsgShiftSignup, Code: "SMS_CHORUS_SHIFT_SIGNUP",
		Text: "已报名${activity}:${time},${place},${task},签到码${checkin}。不能来回复取消${code}"},
	{Kind: chorus.MsgShiftFull, Code: "SMS_CHORUS_SHIFT_FULL",
		Text: "${activity}(${time})已报满,您已排入候补,有空位会自动为您报名并短信通知。"},
	{Kind: chorus.MsgShiftPlace, Code: "SMS_CHORUS_SHIFT_PLACE",
		Text: "${activity}(${time})有空位,已为您报名,${place},签到码${checkin}。不能来回复取消${code}"},
	{Kind: chorus.MsgShiftReminder, Code: "SMS_CHORUS_SHIFT_REMINDER",
		Text: "提醒:${activity} ${time} ${place},${task},签到码${checkin}。不能来回复取消${code}"},
	{Kind: chorus.MsgShiftCancelled, Code: "SMS_CHORUS_SHIFT_CANCELLED",
		Text: "已为您取消${activity}(${time})的志愿服务报名,谢谢。"},
	{Kind: chorus.MsgShiftLeaderHours, Code: "SMS_CHORUS_SHIFT_LEADER_HOURS",
		Text: "${activity}(${time})时长:${list}。无误请回复确认${code}"},
	{Kind: chorus.MsgShiftLeaderAck, Code: "SMS_CHORUS_SHIFT_LEADER_ACK",
		Text: "班次${code}:${action}。"},
	{Kind: chorus.MsgVolunteerJoined, Code: "SMS_CHORUS_VOLUNTEER_JOINED",
		Text: "您已登记为社区志愿者,谢谢!有志愿活动时会短信招募,按短信提示报名即可。"},
	{Kind: chorus.MsgHelpAsk, Code: "SMS_CHORUS_HELP_ASK",
		Text: "求助${code}:${service},${estate},${time}。能去请回复接${code}。"},
	{Kind: chorus.MsgHelpTaken, Code: "SMS_CHORUS_HELP_TAKEN",
		Text: "求助${code}已有志愿者接了,谢谢您。"},
	{Kind: chorus.MsgHelpAccepted, Code: "SMS_CHORUS_HELP_ACCEPTED",
		Text: "已接求助${code}:${service},${estate}${room},${time}。完成后回复完成${code}和小时数。"},
	{Kind: chorus.MsgHelpConfirm, Code: "SMS_CHORUS_HELP_CONFIRM",
		Text: "志愿者为您服务${hours}小时(${service}),属实请回复1。"},
	{Kind: chorus.MsgHelpAck, Code: "SMS_CHORUS_HELP_ACK",
		Text: "求助${code}:${action}。"},
	{Kind: chorus.MsgHelpUnclaimed, Code: "SMS_CHORUS_HELP_UNCLAIMED",
		Text: "求助${code}无人接:${service},${estate}${room},${time}。请安排志愿者。"},
	{Kind: chorus.MsgClassChanged, Code: "SMS_CHORUS_CLASS_CHANGED",
		Text: "${event}上课安排有变:自${from}起${time}上课,地点${place}。"},
	{Kind: chorus.MsgSessionBack, Code: "SMS_CHORUS_SESSION_BACK",
		Text: "${event}${time}这节课放假安排有变,照常上课,请按时参加。"},
	{Kind: chorus.MsgHelpComing, Code: "SMS_CHORUS_HELP_COMING",
		Text: "${volunteer}志愿者将于${time}上门为您${service}(求助${code})。"},
	{Kind: chorus.MsgHelpDisputed, Code: "SMS_CHORUS_HELP_DISPUTED",
		Text: "求助${code}:居民说志愿者服务${duration}不属实,请致电核实。"},
	{Kind: chorus.MsgHelpCallBack, Code: "SMS_CHORUS_HELP_CALLBACK",
		Text: "已收到,社区工作人员会给您打电话核实这次服务。"},
	{Kind: chorus.MsgHelp, Code: "SMS_CHORUS_HELP",
		Text: "回复1确认,2取消,R退订;合作单位回复接+单号接单。其他事项请联系社区工作人员。"},
}

var (
	varRE  = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)
	codeRE = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)
)

// Catalogue holds the template of every message kind. Each has a
// placeholder code that the operator replaces with the code Alibaba Cloud
// gave when it approved the template (CHORUS_SMS_TEMPLATES, read by
// ParseCodes). The texts are notifications: no marketing and no
// "拒收请回复R". Filled with realistic values (a 10-character event, a
// 5-character place, a 12-character address) each stays within 70
// characters with the 7-character 【光华街社区】, i.e. one billed message.
// With every free-text parameter at its full 20 characters, the longer
// ones take two.
//
//	kind             default code               params                          reply asked for
//	booking_confirm  SMS_CHORUS_BOOKING         event, time, place, code        1 confirms, 2 cancels (pending bookings)
//	booking_booked   SMS_CHORUS_BOOKED          event, time, place, code        2 cancels (confirmed at once: staff, a seat taken)
//	reminder         SMS_CHORUS_REMINDER        event, time, place, code        2 cancels
//	cancelled        SMS_CHORUS_CANCELLED       event, time                     -
//	waitlisted       SMS_CHORUS_WAITLISTED      event, time                     -
//	waitlist_offer   SMS_CHORUS_WAITLIST_OFFER  event, time, hours              1 takes the seat, 2 declines
//	enrolled         SMS_CHORUS_ENROLLED        programme, status               -
//	haircut_accepted SMS_CHORUS_HAIRCUT         partner, time                   -
//	partner_order    SMS_CHORUS_PARTNER_ORDER   order, service, estate, room, time  接+order accepts
//	order_unclaimed  SMS_CHORUS_ORDER_UNCLAIMED order, service, estate, room, time  - (to the on-duty staff phone)
//	dispatch_untold  SMS_CHORUS_DISPATCH_UNTOLD order, service                  - (to the on-duty staff phone)
//	order_taken      SMS_CHORUS_ORDER_TAKEN     order                           -
//	checkin_code     SMS_CHORUS_CHECKIN_CODE    event, code                     -
//	optout_ack       SMS_CHORUS_OPTOUT          (none)                          -
//	reply_ack        SMS_CHORUS_REPLY_ACK       action, event, time             - (a reply changed something)
//	reply_which      SMS_CHORUS_REPLY_WHICH     count                           - (a 2 that could mean several)
//	partner_ack      SMS_CHORUS_PARTNER_ACK     action, order, service, time    - (a partner's 接/完成/退 carried out)
//	help             SMS_CHORUS_HELP            (none)                          -
//	verify_code      SMS_CHORUS_VERIFY_CODE     code                            - (typed back at the kiosk)
//	order_confirm    SMS_CHORUS_ORDER_CONFIRM   service, time                   1 dispatches, 2 cancels
//	venue_request    SMS_CHORUS_VENUE_REQUEST   venue, time, event, code        同意+code agrees, 不同意+code refuses
//	venue_ack        SMS_CHORUS_VENUE_ACK       action, venue, time, event      - (an approver's answer recorded)
//	venue_alert      SMS_CHORUS_VENUE_ALERT     code, venue, time, event, outcome  - (to the on-duty staff phone)
//	class_keep       SMS_CHORUS_CLASS_KEEP      count, event, hours             1 keeps a class's place
//	session_off      SMS_CHORUS_SESSION_OFF     event, time, reason             - (a class's session called off)
//	class_enrolled   SMS_CHORUS_CLASS_ENROLLED  event, time, place, code        - (a class's place held; own phone only)
//	session_makeup   SMS_CHORUS_SESSION_MAKEUP  event, time, place              - (a make-up session added)
//	session_holiday  SMS_CHORUS_SESSION_HOLIDAY event, time, holiday            - (a session skipped for a 法定节假日)
//	venue_tomorrow   SMS_CHORUS_VENUE_TOMORROW  venue, time, event, people      - (to a venue's approvers, the day before)
//	partner_month    SMS_CHORUS_PARTNER_MONTH   month, hours, events, people    - (to a partner, the 1st of a month)
//	shift_callout    SMS_CHORUS_SHIFT_CALLOUT   activity, time, place, task, count, code  参加+code signs up
//	shift_signup     SMS_CHORUS_SHIFT_SIGNUP    activity, time, place, task, checkin, code  取消+code cancels
//	shift_full       SMS_CHORUS_SHIFT_FULL      activity, time                  - (on the waitlist)
//	shift_place      SMS_CHORUS_SHIFT_PLACE     activity, time, place, checkin, code  取消+code cancels (a freed place given)
//	shift_reminder   SMS_CHORUS_SHIFT_REMINDER  activity, time, place, task, checkin, code  取消+code cancels
//	shift_cancelled  SMS_CHORUS_SHIFT_CANCELLED activity, time                  - (a signup cancelled)
//	shift_leader_hours SMS_CHORUS_SHIFT_LEADER_HOURS activity, time, list, code  确认+code confirms them (the leader)
//	shift_leader_ack SMS_CHORUS_SHIFT_LEADER_ACK code, action                  - (the leader's 确认 recorded)
//	volunteer_joined SMS_CHORUS_VOLUNTEER_JOINED -                              - (the answer to the keyword 志愿者)
//	help_ask         SMS_CHORUS_HELP_ASK        code, service, estate, time     接+code takes a help request (volunteers)
//	help_taken       SMS_CHORUS_HELP_TAKEN      code                            -
//	help_accepted    SMS_CHORUS_HELP_ACCEPTED   code, service, estate, room, time  完成+code hours reports it done
//	help_confirm     SMS_CHORUS_HELP_CONFIRM    hours, service                  1 confirms the volunteer's hours (the resident)
//	help_ack         SMS_CHORUS_HELP_ACK        code, action                    - (a volunteer's 接/完成 recorded)
//	help_unclaimed   SMS_CHORUS_HELP_UNCLAIMED  code, service, estate, room, time  - (to the on-duty staff phone)
//	class_changed    SMS_CHORUS_CLASS_CHANGED   event, from, time, place        - (a class's weekday, time, dates or venue changed)
//	session_back     SMS_CHORUS_SESSION_BACK    event, time                     - (a holiday-skipped session is on again)
//	help_coming      SMS_CHORUS_HELP_COMING     volunteer, time, service, code  - (to the resident: a surname only)
//	help_disputed    SMS_CHORUS_HELP_DISPUTED   code, duration                  - (to the on-duty staff phone)
//	help_callback    SMS_CHORUS_HELP_CALLBACK   -                               - (to the resident who said 不属实)
//
// A Catalogue is read-only once made and safe for concurrent use.
type Catalogue struct {
	templates map[chorus.MessageKind]Template
}

// NewCatalogue returns the built-in catalogue with the template codes in
// codes put in place of the defaults. A code for an unknown kind, or one
// that is not 1-64 letters, digits and underscores, is an EINVALID error.
func NewCatalogue(codes map[chorus.MessageKind]string) (*Catalogue, error) {
	c := &Catalogue{templates: make(map[chorus.MessageKind]Template, len(builtin))}
	for _, t := range builtin {
		t.Params = TemplateParams(t.Text)
		t.ExpectsReply = t.Kind.ExpectsReply()
		c.templates[t.Kind] = t
	}
	for kind, code := range codes {
		t, ok := c.templates[kind]
		if !ok {
			return nil, chorus.Errorf(chorus.EINVALID, "没有%q这种短信模板。", kind)
		} else if !codeRE.MatchString(code) {
			return nil, chorus.Errorf(chorus.EINVALID, "短信模板%s的编号%q不正确。", kind, code)
		}
		t.Code = code
		c.templates[kind] = t
	}
	return c, nil
}

// ParseCodes reads template codes written as kind=CODE,kind=CODE (the
// CHORUS_SMS_TEMPLATES setting). Spaces around items are ignored; an empty
// string gives an empty map.
func ParseCodes(s string) (map[chorus.MessageKind]string, error) {
	out := map[chorus.MessageKind]string{}
	for item := range strings.SplitSeq(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		kind, code, ok := strings.Cut(item, "=")
		if !ok {
			return nil, chorus.Errorf(chorus.EINVALID, "短信模板设置%q应写成 kind=SMS_123。", item)
		}
		out[chorus.MessageKind(strings.TrimSpace(kind))] = strings.TrimSpace(code)
	}
	return out, nil
}

// TemplateParams lists the ${var} names of a template's text in order of
// first use (the SMS and the voice catalogues both).
func TemplateParams(text string) []string {
	var out []string
	for _, m := range varRE.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// Template returns the template of kind.
func (c *Catalogue) Template(kind chorus.MessageKind) (Template, bool) {
	t, ok := c.templates[kind]
	return t, ok
}

// Templates returns every template, ordered by kind.
func (c *Catalogue) Templates() []Template {
	out := make([]Template, 0, len(c.templates))
	for _, t := range c.templates {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Validate checks params against the template of kind: every parameter
// present, no other, each 1 to chorus.MaxParamRunes characters of valid
// UTF-8 without control characters (newlines included), "${" or the 【】
// of a signature, web addresses or invisible characters
// (chorus.SMSTextProblem). It returns an EINVALID error naming the first problem.
func (c *Catalogue) Validate(kind chorus.MessageKind, params map[string]string) error {
	t, ok := c.templates[kind]
	if !ok {
		return chorus.Errorf(chorus.EINVALID, "没有%q这种短信模板。", kind)
	}
	for _, p := range t.Params {
		v, ok := params[p]
		if !ok || v == "" {
			return chorus.Errorf(chorus.EINVALID, "短信%s缺少参数%s。", kind, p)
		}
		if err := checkParam(kind, p, v); err != nil {
			return err
		}
	}
	if len(params) > len(t.Params) {
		extra := make([]string, 0, len(params))
		for k := range params {
			if !slices.Contains(t.Params, k) {
				extra = append(extra, k)
			}
		}
		sort.Strings(extra)
		return chorus.Errorf(chorus.EINVALID, "短信%s多了参数%s。", kind, strings.Join(extra, ","))
	}
	return nil
}

// checkParam checks one parameter value.
func checkParam(kind chorus.MessageKind, name, v string) error {
	if !utf8.ValidString(v) {
		return chorus.Errorf(chorus.EINVALID, "短信%s的参数%s含有无效字符。", kind, name)
	}
	if n := utf8.RuneCountInString(v); n > chorus.MaxParamRunes {
		return chorus.Errorf(chorus.EINVALID, "短信%s的参数%s太长了(%d个字,最多%d个)。", kind, name, n, chorus.MaxParamRunes)
	}
	if strings.Contains(v, "${") || strings.ContainsAny(v, "\u3010\u3011") {
		return chorus.Errorf(chorus.EINVALID, "短信%s的参数%s含有不能使用的符号。", kind, name)
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF' {
			return chorus.Errorf(chorus.EINVALID, "短信%s的参数%s含有换行或控制字符。", kind, name)
		}
	}
	if p := chorus.SMSTextProblem(v); p != "" {
		return chorus.Errorf(chorus.EINVALID, "短信%s的参数%s%s。", kind, name, p)
	}
	return nil
}

// Render validates params and returns the text of kind with them filled
// in, without the signature.
func (c *Catalogue) Render(kind chorus.MessageKind, params map[string]string) (string, error) {
	if err := c.Validate(kind, params); err != nil {
		return "", err
	}
	t := c.templates[kind]
	return varRE.ReplaceAllStringFunc(t.Text, func(m string) string {
		return params[m[2:len(m)-1]]
	}), nil
}

// Outgoing validates m's parameters and returns it ready for a Sender:
// template code, parameters as a JSON object of strings, and the rendered
// text for logs.
func (c *Catalogue) Outgoing(m chorus.Message) (Outgoing, error) {
	text, err := c.Render(m.Kind, m.Params)
	if err != nil {
		return Outgoing{}, err
	}
	params := m.Params
	if params == nil {
		params = map[string]string{}
	}
	b, err := json.Marshal(params) // map keys come out sorted
	if err != nil {
		return Outgoing{}, fmt.Errorf("message %d params: %w", m.ID, err)
	}
	// A community's own template for the kind has the same parameters as
	// the catalogue's, under its own code.
	code := c.templates[m.Kind].Code
	if m.TemplateCode != "" {
		code = m.TemplateCode
	}
	return Outgoing{ID: m.ID, Phone: m.Phone, Kind: m.Kind, SignName: m.SignName, TemplateCode: code,
		ParamJSON: string(b), ExtendCode: chorus.ExtendCode(m), Text: text}, nil
}
