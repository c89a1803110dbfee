package chorus

// TooOften is the sentence a caller over a rate limit sees (and a kiosk
// shows as it is).
const TooOften = "操作太频繁了,请稍等一分钟再试。"

// Limits bound what one kiosk or one phone can hold or start, so that
// nobody can take every seat of an event with made-up phones or flood a
// phone with texts. Zero means no limit.
type Limits struct {
	// PendingPerKiosk is how many unconfirmed bookings (awaiting the
	// reply 1) one kiosk may hold at once.
	PendingPerKiosk int
	// PendingPerPhone is how many unconfirmed bookings one phone may hold.
	PendingPerPhone int
}

// CheckPending decides whether another unconfirmed booking may be made by
// a kiosk holding kioskPending and a phone holding phonePending. Errors:
// ELIMIT.
func (l Limits) CheckPending(kioskPending, phonePending int) error {
	if l.PendingPerPhone > 0 && phonePending >= l.PendingPerPhone {
		return Errorf(ELIMIT, "这个手机号还有%d个预约没有回复短信确认,请先回复1确认,或请工作人员帮忙。", phonePending)
	}
	if l.PendingPerKiosk > 0 && kioskPending >= l.PendingPerKiosk {
		return Errorf(ELIMIT, "这台自助机上等待短信确认的预约太多了,请稍后再试,或请工作人员帮忙。")
	}
	return nil
}
