package main

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"connector-dev/harness"
)

// A diff split into partitions on disk says exactly what the in-memory one
// says (counts, samples in the runs' order, changed columns, the duplicate
// key named; whole rows too), and leaves no spill file behind.
func TestDiffSpilledSameAsInMemory(t *testing.T) {
	project(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	base := runSynthetic(t, "500", "")
	more := runSynthetic(t, "523", "")
	fewer := runSynthetic(t, "480", "")
	swapJob := writeJob(t, "swapped.json", func(cols []map[string]string) []map[string]string {
		for _, c := range cols {
			switch c["source"] {
			case "amount":
				c["source"] = "score"
			case "score":
				c["source"] = "amount"
			}
		}
		return cols
	})
	swapped := runSynthetic(t, "510", swapJob)
	// Without an id, rows are compared whole (a multiset); a region-only
	// job has many equal rows.
	noID := writeJob(t, "noid.json", func(cols []map[string]string) []map[string]string { return cols[1:] })
	whole, wholeFewer := runSynthetic(t, "500", noID), runSynthetic(t, "497", noID)
	regionJob := writeJob(t, "region.json", func(cols []map[string]string) []map[string]string {
		for _, c := range cols {
			if c["source"] == "region" {
				return []map[string]string{c}
			}
		}
		t.Fatal("the synthetic job has no region column")
		return nil
	})
	regions, moreRegions := runSynthetic(t, "500", regionJob), runSynthetic(t, "530", regionJob)
	ctx := context.Background()
	past, err := harness.OpenPastRuns(ctx, ".", ".connector-dev", os.Environ(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer past.Close()
	diff := func(a, b string, opts harness.DiffOptions) string {
		t.Helper()
		ra, rb, err := harness.DiffRuns(".connector-dev", []string{a, b})
		if err != nil {
			t.Fatal(err)
		}
		res, err := harness.Diff(ctx, ".connector-dev", past, ra, rb, opts)
		if err != nil {
			return "error: " + err.Error()
		}
		out, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	cases := []struct {
		a, b string
		key  []string
	}{
		{base, more, nil}, {more, base, nil}, {base, fewer, nil}, {base, swapped, nil},
		{swapped, fewer, nil}, {base, base, nil}, {base, more, []string{"region"}}, {base, more, []string{"email", "id"}},
		{whole, wholeFewer, nil}, {wholeFewer, whole, nil}, {regions, moreRegions, nil}, {moreRegions, regions, nil},
	}
	for _, c := range cases {
		for _, limit := range []int{0, 3, 10} {
			want := diff(c.a, c.b, harness.DiffOptions{Key: c.key, Limit: limit})
			for _, per := range []int{1, 7, 100} {
				if got := diff(c.a, c.b, harness.DiffOptions{Key: c.key, Limit: limit, SpillRows: per}); got != want {
					t.Errorf("diff %s %s key %v limit %d, %d rows a partition:\n got %s\nwant %s", c.a, c.b, c.key, limit, per, got, want)
				}
			}
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("spill files left in %s: %v", tmp, left)
	}
}
