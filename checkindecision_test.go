package chorus_test

import (
	"testing"
	"time"

	"github.com/chorus-community/chorus"
)

// TestDecideCheckin: every outcome at the door, from the booking found,
// the scan's time and the clock.
func TestDecideCheckin(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 5, 9, 0, 0, 0, shanghai)
	now := start.Add(-20 * time.Minute)
	booking := func(st chorus.Status) chorus.CheckinFacts {
		return chorus.CheckinFacts{EventID: 7, EventTitle: "免费义诊", Status: st, Name: " 李阿姨 ", SlotStart: start}
	}
	checkedIn := booking(chorus.StatusCheckedIn)
	checkedIn.CheckedInAt = now.Add(-5 * time.Minute)
	tests := []struct {
		name   string
		found  bool
		b      chorus.CheckinFacts
		scanAt time.Time
		now    time.Time
		want   chorus.CheckinDecision
	}{
		{name: "Unknown", want: chorus.CheckinDecision{Outcome: chorus.CheckinUnknown, Message: "没有找到这个预约,请找工作人员。"}},
		{name: "OtherEvent", found: true, b: chorus.CheckinFacts{EventID: 8, EventTitle: "健康讲座", Status: chorus.StatusConfirmed, SlotStart: start},
			now: now, want: chorus.CheckinDecision{Outcome: chorus.CheckinOtherEvent, Message: "这是12月5日周六09:00「健康讲座」的预约,不是这个活动。"}},
		{name: "OtherDay", found: true, b: booking(chorus.StatusConfirmed), now: start.Add(-24 * time.Hour),
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOtherEvent, Message: "这是12月5日周六的预约,不是今天的,请找工作人员。"}},
		{name: "Confirmed", found: true, b: booking(chorus.StatusConfirmed), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "李阿姨,签到成功!", CheckIn: true, At: now}},
		{name: "PendingCame", found: true, b: booking(chorus.StatusPending), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "李阿姨,签到成功!", Confirm: true, CheckIn: true, At: now}},
		{name: "OfferedCame", found: true, b: chorus.CheckinFacts{EventID: 7, Status: chorus.StatusOffered, SlotStart: start}, now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "签到成功!", Confirm: true, CheckIn: true, At: now}},
		{name: "OfflineScanKeepsItsTime", found: true, b: booking(chorus.StatusConfirmed), scanAt: now.Add(-time.Hour), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "李阿姨,签到成功!", CheckIn: true, At: now.Add(-time.Hour)}},
		{name: "OfflineScanTooOld", found: true, b: booking(chorus.StatusConfirmed), scanAt: now.Add(-chorus.MaxOfflineScan - time.Second), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "李阿姨,签到成功!", CheckIn: true, At: now}},
		{name: "ScanInTheFuture", found: true, b: booking(chorus.StatusConfirmed), scanAt: now.Add(time.Hour), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinOK, Message: "李阿姨,签到成功!", CheckIn: true, At: now}},
		{name: "Already", found: true, b: checkedIn, now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinAlready, Message: "李阿姨,您已经签到过了。"}},
		{name: "AlreadyEarlierScanWins", found: true, b: checkedIn, scanAt: now.Add(-10 * time.Minute), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinAlready, Message: "李阿姨,您已经签到过了。", At: now.Add(-10 * time.Minute)}},
		{name: "Waitlisted", found: true, b: booking(chorus.StatusWaitlisted), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinWaitlisted, Message: "李阿姨,您还在候补,暂时没有空位,请找工作人员。"}},
		{name: "NoShow", found: true, b: booking(chorus.StatusNoShow), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinCancelled, Message: "这个活动已经结束了。"}},
		{name: "Cancelled", found: true, b: booking(chorus.StatusCancelled), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinCancelled, Message: "这个预约已经取消了,请找工作人员。"}},
		{name: "Expired", found: true, b: booking(chorus.StatusExpired), now: now,
			want: chorus.CheckinDecision{Outcome: chorus.CheckinCancelled, Message: "这个预约已经取消了,请找工作人员。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := chorus.DecideCheckin(7, tt.found, tt.b, tt.scanAt, tt.now, shanghai)
			if got.Outcome != tt.want.Outcome || got.Message != tt.want.Message || got.Confirm != tt.want.Confirm ||
				got.CheckIn != tt.want.CheckIn || !got.At.Equal(tt.want.At) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
