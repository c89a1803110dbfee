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

// TestScrapeBatches_Instances adds up the group-commit histograms of
// several instances (their /metrics URLs comma-separated).
func TestScrapeBatches_Instances(t *testing.T) {
	page := func(count, sum, le1 float64) string {
		return fmt.Sprintf("chorus_db_group_commit_size_bucket{le=\"1\"} %g\n"+
			"chorus_db_group_commit_size_bucket{le=\"+Inf\"} %g\n"+
			"chorus_db_group_commit_size_sum %g\nchorus_db_group_commit_size_count %g\n", le1, count, sum, count)
	}
	a := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page(3, 30, 1)) }))
	defer a.Close()
	b := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, page(2, 10, 0)) }))
	defer b.Close()
	s, err := scrapeBatches(a.URL + "," + b.URL)
	if err != nil {
		t.Fatal(err)
	}
	if s.count != 5 || s.sum != 40 || s.buckets["1"] != 1 || s.buckets["+Inf"] != 5 {
		t.Fatalf("got count %g sum %g buckets %v, want 5, 40, 1 of ≤1 and 5 in all", s.count, s.sum, s.buckets)
	}
}
