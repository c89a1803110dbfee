package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestScrapeBatches reads the group-commit histogram as the server's
// /metrics writes it and describes the batches between two readings.
func TestScrapeBatches(t *testing.T) {
	page := func(count, sum float64, buckets [8]float64) string {
		var b strings.Builder
		b.WriteString("# HELP chorus_db_group_commit_size Write transactions committed together in one group commit.\n")
		b.WriteString("# TYPE chorus_db_group_commit_size histogram\n")
		for i, le := range []string{"1", "2", "4", "8", "16", "32", "64", "128"} {
			fmt.Fprintf(&b, "chorus_db_group_commit_size_bucket{le=%q} %g\n", le, buckets[i])
		}
		fmt.Fprintf(&b, "chorus_db_group_commit_size_bucket{le=\"+Inf\"} %g\n", count)
		fmt.Fprintf(&b, "chorus_db_group_commit_size_sum %g\nchorus_db_group_commit_size_count %g\n", sum, count)
		b.WriteString("chorus_db_commit_duration_seconds_count 99\n")
		return b.String()
	}
	pages := []string{
		page(2, 2, [8]float64{2, 2, 2, 2, 2, 2, 2, 2}),
		// then 4 batches: one of 1, three of 30 (≤32)
		page(6, 93, [8]float64{3, 3, 3, 3, 3, 6, 6, 6}),
	}
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, pages[n])
		n++
	}))
	defer srv.Close()
	before, err := scrapeBatches(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	after, err := scrapeBatches(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	got := after.minus(before)
	want := "4 batches, 22.8 transactions per batch on average; ≤1: 25% ≤32: 75%"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	if s, err := scrapeBatches(""); err != nil || s.count != 0 {
		t.Fatalf("no url: %+v, %v", s, err)
	}
}
