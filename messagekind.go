package chorus

import "sort"

// KindRule is what Chorus does with one kind of SMS: who gets it, whether
// an opt-out stops it, whether it asks for an answer, and whose daily
// allowance it counts against. Stores and the sms package read these rules
// from MessageKind's methods instead of keeping their own lists.
type KindRule struct {
	// Family means the resident's family contacts (子女代办) get a copy.
	Family bool
	// Requested means the resident asked for it by acting just now (a
	// booking, a reply, a kiosk request), so it reaches the phone that
	// acted even after an opt-out; never the family's copies, who asked
	// for nothing.
	Requested bool
	// ExpectsReply means the text asks for an answer (1/2, 接+number): it
	// goes with an extend code, and a reply may answer it.
	ExpectsReply bool
	// Receipt means it tells a resident what their own request (a booking,
	// an enrolment, a kiosk order) became: the SMS a kiosk's done screen
	// follows from 正在发往 to 已发送.
	Receipt bool
	// Resend means it repeats a check-in code, limited per phone and day
	// apart from the budget (a resident asking again and again).
	Resend bool
	// Budget is whose daily allowance it counts against.
	Budget Budget
	// Voice means a resident whose channel is voice hears it in a call
	// (voice/ has its TTS template); the other kinds go by SMS whatever
	// the channel: codes to type, partners' and staff's messages.
	Voice bool
	// NoWait means a call due outside the call windows would come too
	// late once the next one opens (a reminder, an offer that lapses): it
	// goes by SMS at once instead.
	NoWait bool
}

// messageKinds holds the rule of every kind of SMS Chorus sends.
var messageKinds = map[MessageKind]KindRule{
	MsgBookingConfirm:  {Family: true, Requested: true, ExpectsReply: true, Receipt: true, Budget: BudgetResident, Voice: true},
	MsgBookingBooked:   {Family: true, Requested: true, ExpectsReply: true, Receipt: true, Budget: BudgetResident, Voice: true},
	MsgReminder:        {Family: true, ExpectsReply: true, Budget: BudgetResident, Voice: true, NoWait: true},
	MsgCancelled:       {Family: true, Budget: BudgetResident, Voice: true},
	MsgWaitlisted:      {Family: true, Requested: true, Receipt: true, Budget: BudgetResident},
	MsgWaitlistOffer:   {Family: true, ExpectsReply: true, Budget: BudgetResident, Voice: true, NoWait: true},
	MsgEnrolled:        {Family: true, Requested: true, Receipt: true, Budget: BudgetResident},
	MsgHaircutAccepted: {Family: true, Requested: true, Budget: BudgetResident, Voice: true},
	MsgReplyAck:        {Family: true, Requested: true, Budget: BudgetResident},
	MsgReplyWhich:      {Requested: true, Budget: BudgetResident},
	MsgReplyUnclear:    {Requested: true, Budget: BudgetResident},
	MsgCheckinCode:     {Requested: true, Resend: true, Budget: BudgetResident},
	MsgOptOutAck:       {Requested: true, Budget: BudgetResident},
	MsgVerifyCode:      {Requested: true, Budget: BudgetResident},
	MsgOrderConfirm:    {Requested: true, ExpectsReply: true, Receipt: true, Budget: BudgetResident, Voice: true},
	MsgHelp:            {Budget: BudgetResident},
	MsgPartnerOrder:    {ExpectsReply: true, Budget: BudgetPartner},
	MsgOrderTaken:      {Budget: BudgetPartner},
	MsgPartnerAck:      {Budget: BudgetPartner},
	MsgOrderUnclaimed:  {Budget: BudgetStaff},
	MsgDispatchUntold:  {Budget: BudgetStaff},
	MsgVenueRequest:    {ExpectsReply: true, Budget: BudgetPartner},
	MsgVenueAck:        {Budget: BudgetPartner},
	MsgVenueAlert:      {Budget: BudgetStaff},
	MsgClassKeep:       {Family: true, ExpectsReply: true, Budget: BudgetResident},
	MsgSessionOff:      {Family: true, Budget: BudgetResident},
	// The class's check-in code goes to the phone that enrolled only: a
	// code checks anyone in, so family contacts get no copy.
	MsgClassEnrolled:   {Requested: true, Receipt: true, Budget: BudgetResident},
	MsgSessionMakeup:   {Family: true, Budget: BudgetResident},
	MsgSessionHoliday:  {Family: true, Budget: BudgetResident},
	MsgVenueTomorrow:   {Budget: BudgetPartner},
	MsgPartnerMonth:    {Budget: BudgetPartner},
	MsgShiftCallOut:    {ExpectsReply: true, Budget: BudgetResident},
	MsgShiftSignup:     {Requested: true, ExpectsReply: true, Receipt: true, Budget: BudgetResident},
	MsgShiftFull:       {Requested: true, Receipt: true, Budget: BudgetResident},
	MsgShiftPlace:      {ExpectsReply: true, Budget: BudgetResident},
	MsgShiftReminder:   {ExpectsReply: true, Budget: BudgetResident},
	MsgShiftCancelled:  {Requested: true, Budget: BudgetResident},
	MsgVolunteerJoined: {Requested: true, Receipt: true, Budget: BudgetResident},
	// The leader's confirming is volunteer work, on the partners' allowance
	// as help requests are.
	MsgShiftLeaderHours: {ExpectsReply: true, Budget: BudgetPartner},
	MsgShiftLeaderAck:   {Budget: BudgetPartner},
	// A volunteer's help work comes by SMS as a partner's orders do: it
	// counts against the partners' higher allowance, not the resident's 5
	// a day, which stays free for the volunteer's own bookings and codes.
	// The resident asked to confirm uses their own.
	MsgHelpAsk:       {ExpectsReply: true, Budget: BudgetPartner},
	MsgHelpTaken:     {Budget: BudgetPartner},
	MsgHelpAccepted:  {ExpectsReply: true, Budget: BudgetPartner},
	MsgHelpConfirm:   {ExpectsReply: true, Budget: BudgetResident},
	MsgHelpAck:       {Budget: BudgetPartner},
	MsgHelpUnclaimed: {Budget: BudgetStaff},
	MsgClassChanged:  {Family: true, Budget: BudgetResident},
	MsgSessionBack:   {Family: true, Budget: BudgetResident},
	MsgHelpComing:    {Budget: BudgetResident},
	MsgHelpDisputed:  {Budget: BudgetStaff},
	MsgHelpCallBack:  {Requested: true, Receipt: true, Budget: BudgetResident},
}

// Rule returns the rule of kind k, and whether k is a kind Chorus knows.
// An unknown kind gets the strictest rule: no copies, stopped by an
// opt-out, no reply, a resident's budget.
func (k MessageKind) Rule() (KindRule, bool) {
	r, ok := messageKinds[k]
	if !ok {
		return KindRule{Budget: BudgetResident}, false
	}
	return r, true
}

func (k MessageKind) rule() KindRule {
	r, _ := k.Rule()
	return r
}

// ToFamily reports whether a resident's family contacts get a copy of
// messages of kind k.
func (k MessageKind) ToFamily() bool { return k.rule().Family }

// PassesOptOut reports whether a message of kind k reaches the phone that
// asked for it even when that phone opted out. Copies to family contacts
// never pass an opt-out.
func (k MessageKind) PassesOptOut() bool { return k.rule().Requested }

// ExpectsReply reports whether messages of kind k ask for an answer.
func (k MessageKind) ExpectsReply() bool { return k.rule().ExpectsReply }

// Resend reports whether messages of kind k count against the daily limit
// of check-in code resends.
func (k MessageKind) Resend() bool { return k.rule().Resend }

// Spoken reports whether messages of kind k are called to a resident
// whose channel is voice (KindRule.Voice).
func (k MessageKind) Spoken() bool { return k.rule().Voice }

// NoWait reports whether a call of kind k due outside the call windows
// goes by SMS at once rather than waiting (KindRule.NoWait).
func (k MessageKind) NoWait() bool { return k.rule().NoWait }

// Budget returns the allowance messages of kind k count against.
func (k MessageKind) Budget() Budget { return k.rule().Budget }

// MessageKinds returns every kind Chorus sends, sorted.
func MessageKinds() []MessageKind {
	return kindsWhere(func(KindRule) bool { return true })
}

// ReceiptKinds returns the kinds that tell a resident what their own
// request became (KindRule.Receipt), sorted.
func ReceiptKinds() []MessageKind {
	return kindsWhere(func(r KindRule) bool { return r.Receipt })
}

func kindsWhere(keep func(KindRule) bool) []MessageKind {
	var out []MessageKind
	for k, r := range messageKinds {
		if keep(r) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
