package chorus_test

import (
	"testing"

	"github.com/chorus-community/chorus"
)

// TestSearchRoster: the door finds a class's residents by the phone's last
// 4 digits or part of the name, phones masked; an empty or long query is
// refused in words.
func TestSearchRoster(t *testing.T) {
	roster := []chorus.SessionAttendance{
		{EnrolmentID: 1, Name: "何奶奶", Phone: "13600001009"},
		{EnrolmentID: 2, Name: "王大爷", Phone: "13800005678"},
		{EnrolmentID: 3, Name: "王秀英", Phone: "13900001009"},
	}
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"1009", []int64{1, 3}},
		{"王", []int64{2, 3}},
		{" 大爷 ", []int64{2}},
		{"5679", nil},
		{"李", nil},
	} {
		got, err := chorus.SearchRoster(roster, tc.q)
		if err != nil || len(got) != len(tc.want) {
			t.Fatalf("SearchRoster(%q) = %+v, %v; want %v", tc.q, got, err, tc.want)
		}
		for i, a := range got {
			if a.EnrolmentID != tc.want[i] || a.Phone == roster[a.EnrolmentID-1].Phone {
				t.Errorf("SearchRoster(%q)[%d] = %+v", tc.q, i, a)
			}
		}
	}
	for _, q := range []string{"", "  ", "一二三四五六七八九十一二三四五六七八九十一"} {
		if _, err := chorus.SearchRoster(roster, q); chorus.ErrorCode(err) != chorus.EINVALID {
			t.Errorf("SearchRoster(%q): %v, want EINVALID", q, err)
		}
	}
}
