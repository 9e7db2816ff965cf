package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runSynthetic runs the synthetic job headless with rows rows (and the
// job file job, "" for the default) and returns the new run's id.
func runSynthetic(t *testing.T, rows, job string, extra ...string) string {
	t.Helper()
	args := append([]string{"run", "synthetic", "--ci"}, extra...)
	if job != "" {
		args = append(args, "--job", job)
	}
	var out, errb bytes.Buffer
	if code := run(args, testEnv(&out, &errb, "CI=true", "SYNTHETIC_ROWS="+rows)); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out.String(), errb.String())
	}
	return lastReport(t).RunID
}

// writeJob writes a variant of the synthetic job whose mapping edit makes
// from the default one.
func writeJob(t *testing.T, name string, edit func(cols []map[string]string) []map[string]string) string {
	t.Helper()
	var job map[string]any
	b, err := os.ReadFile("fixtures/synthetic/job.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &job); err != nil {
		t.Fatal(err)
	}
	var cols []map[string]string
	raw, _ := json.Marshal(job["JobDataJSON"].(map[string]any)["columns"])
	if err := json.Unmarshal(raw, &cols); err != nil {
		t.Fatal(err)
	}
	job["JobDataJSON"] = map[string]any{"columns": edit(cols)}
	out, _ := json.Marshal(job)
	path := filepath.Join("fixtures", "synthetic", name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// diffJSON runs diff --json and decodes what it printed.
func diffJSON(t *testing.T, want int, args ...string) map[string]any {
	t.Helper()
	code, out, errs := cli(t, append([]string{"diff", "--json"}, args...)...)
	if code != want {
		t.Fatalf("diff --json %v: exit %d, want %d\n%s%s", args, code, want, out, errs)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, out)
	}
	return v
}

func num(t *testing.T, v map[string]any, path ...string) float64 {
	t.Helper()
	var cur any = v
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("%v: %s is not an object in %v", path, p, v)
		}
		cur = m[p]
	}
	f, ok := cur.(float64)
	if !ok {
		t.Fatalf("%v: %v is not a number", path, cur)
	}
	return f
}

// Two runs of the same data are the same, whatever their ids and timings.
func TestDiffSameDataTwice(t *testing.T) {
	project(t)
	a := runSynthetic(t, "500", "")
	b := runSynthetic(t, "500", "")
	code, out, errs := cli(t, "diff")
	if code != 0 {
		t.Fatalf("diff: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"a  " + a, "b  " + b, "schema: the same", "rows by key id: 500 in a, 500 in b: 0 added, 0 removed, 0 changed", "the same data and schema"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	v := diffJSON(t, 0, a, b)
	if v["a"] != a || v["b"] != b || v["same"] != true {
		t.Errorf("diff --json: a %v b %v same %v", v["a"], v["b"], v["same"])
	}
}

// More rows in B are counted exactly as added, and shown up to --limit;
// the other way round they are removed.
func TestDiffAddedRows(t *testing.T) {
	project(t)
	a := runSynthetic(t, "500", "")
	b := runSynthetic(t, "523", "")
	code, out, _ := cli(t, "diff", b, "--limit", "3")
	if code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"a  " + a, "23 added, 0 removed, 0 changed", "added (first 3):", `+ id=500 account_name="account-500"`} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	v := diffJSON(t, 1)
	if num(t, v, "rows", "added") != 23 || num(t, v, "rows", "removed") != 0 || num(t, v, "rows", "changed") != 0 {
		t.Errorf("rows: %v", v["rows"])
	}
	schema := v["schema"].(map[string]any)
	for _, k := range []string{"added", "removed", "changed"} {
		if l, ok := schema[k].([]any); !ok || len(l) != 0 {
			t.Errorf("schema.%s = %v, want []", k, schema[k])
		}
	}
	samples := v["samples"].(map[string]any)
	if added := samples["added"].([]any); len(added) != 10 || added[0].(map[string]any)["id"] != 500.0 {
		t.Errorf("samples.added: %d rows, first %v", len(added), added[0])
	}
	v = diffJSON(t, 1, b, a)
	if num(t, v, "rows", "removed") != 23 || num(t, v, "rows", "added") != 0 {
		t.Errorf("reversed rows: %v", v["rows"])
	}
}

// A mapping that renames and drops columns is a schema change; a mapping
// that swaps two columns' sources changes their values in every row where
// they differ, shown old beside new.
func TestDiffMappingChange(t *testing.T) {
	project(t)
	runSynthetic(t, "500", "")
	schemaJob := writeJob(t, "renamed.json", func(cols []map[string]string) []map[string]string {
		var out []map[string]string
		for _, c := range cols {
			switch c["source"] {
			case "email":
				continue
			case "region":
				c["destination"] = "area"
			}
			out = append(out, c)
		}
		return out
	})
	runSynthetic(t, "500", schemaJob)
	code, out, _ := cli(t, "diff")
	if code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"schema: 1 column added, 2 columns removed", "  + area string", "  - region string", "  - email string", "0 added, 0 removed, 0 changed"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	v := diffJSON(t, 1)
	s := v["schema"].(map[string]any)
	if added := s["added"].([]any); len(added) != 1 || added[0].(map[string]any)["name"] != "area" {
		t.Errorf("schema.added = %v", s["added"])
	}
	if removed := s["removed"].([]any); len(removed) != 2 {
		t.Errorf("schema.removed = %v", s["removed"])
	}

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
	runSynthetic(t, "500", "")
	runSynthetic(t, "500", swapJob)
	code, out, _ = cli(t, "diff", "--limit", "1")
	if code != 1 {
		t.Fatalf("diff: exit %d, want 1\n%s", code, out)
	}
	// Row 0 has amount 0 and score 0: the swap changes the 499 others.
	for _, want := range []string{"schema: the same", "0 added, 0 removed, 499 changed", "changed columns: amount 499, score 499", "  ~ id=1\n", "amount  0.01                   ->  0.0010030090270812437"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff output lacks %q:\n%s", want, out)
		}
	}
	v = diffJSON(t, 1)
	if num(t, v, "rows", "changed") != 499 || num(t, v, "columns_changed", "score") != 499 {
		t.Errorf("rows %v, columns_changed %v", v["rows"], v["columns_changed"])
	}
	ch := v["samples"].(map[string]any)["changed"].([]any)
	if len(ch) != 10 || len(ch[0].(map[string]any)["fields"].([]any)) != 2 {
		t.Errorf("samples.changed: %v", ch)
	}
}

// --key picks the columns rows are matched by; without an id column rows
// are compared whole, as a multiset.
func TestDiffKey(t *testing.T) {
	project(t)
	runSynthetic(t, "500", "")
	runSynthetic(t, "510", "")
	code, out, _ := cli(t, "diff", "--key", "email, id")
	if code != 1 || !strings.Contains(out, "rows by key email,id: 500 in a, 510 in b: 10 added") {
		t.Errorf("diff --key email,id: exit %d\n%s", code, out)
	}
	noID := writeJob(t, "noid.json", func(cols []map[string]string) []map[string]string { return cols[1:] })
	runSynthetic(t, "500", noID)
	runSynthetic(t, "497", noID)
	code, out, _ = cli(t, "diff")
	if code != 1 || !strings.Contains(out, "rows by whole rows") || !strings.Contains(out, "500 in a, 497 in b: 0 added, 3 removed, 0 changed") ||
		!strings.Contains(out, `- account_name="account-497"`) {
		t.Errorf("diff without an id column: exit %d\n%s", code, out)
	}
}

// Each comparison that cannot be made is exit 3 and one line saying why.
func TestDiffCannotCompare(t *testing.T) {
	project(t)
	code, _, errs := cli(t, "diff")
	if code != 3 || !strings.Contains(errs, "no finished runs") {
		t.Errorf("no runs: exit %d %q", code, errs)
	}
	a := runSynthetic(t, "100", "")
	mem := runSynthetic(t, "100", "", "--s3-memory")
	if err := os.MkdirAll(filepath.Join(".connector-dev", "runs", "20261201-000000-dead00"), 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{a}, "no earlier finished run of job synthetic-accounts"},
		{[]string{"nosuchrun", a}, "no run nosuchrun"},
		{[]string{a, mem}, "run " + mem + " used --s3-memory: its batches were gone"},
		{[]string{"20261201-000000-dead00", a}, "run 20261201-000000-dead00 is incomplete"},
		{[]string{a, a, "--key", "nope"}, `--key nope: run ` + a + ` has no column "nope"`},
		{[]string{a, a, "--key", "region"}, `--key region: region="north" is in more than one row of run ` + a},
		{[]string{a, a, "--key", "id,,region"}, "an empty column name"},
		{[]string{a, a, "--limit", "-1"}, "--limit -1 is negative"},
		{[]string{a, a, a}, "give at most two runs"},
	}
	for _, tc := range tests {
		code, out, errs := cli(t, append([]string{"diff"}, tc.args...)...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != 3 || len(lines) != 1 || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("diff %v: exit %d, stdout %q, stderr %q; want 3 and one line with %q", tc.args, code, out, errs, tc.want)
		}
	}
}

// run --diff last shows the diff against the job's previous run and keeps
// the run's own exit code.
func TestRunDiffLast(t *testing.T) {
	project(t)
	var out, errb bytes.Buffer
	code := run([]string{"run", "synthetic", "--ci", "--diff", "last"}, testEnv(&out, &errb, "CI=true", "SYNTHETIC_ROWS=200"))
	if code != 0 || !strings.Contains(errb.String(), "--diff last: run ") || !strings.Contains(errb.String(), "no earlier finished run") {
		t.Errorf("first run --diff last: exit %d, stderr %q", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	code = run([]string{"run", "synthetic", "--ci", "--diff", "last"}, testEnv(&out, &errb, "CI=true", "SYNTHETIC_ROWS=205"))
	if code != 0 || !strings.Contains(out.String(), "rows by key id: 200 in a, 205 in b: 5 added, 0 removed, 0 changed") {
		t.Errorf("second run --diff last: exit %d\n%s%s", code, out.String(), errb.String())
	}
	code, _, errs := cli(t, "run", "synthetic", "--diff", "first")
	if code != 3 || !strings.Contains(errs, `--diff "first": the one form is --diff last`) {
		t.Errorf("--diff first: exit %d %q", code, errs)
	}
}

// A batch that is gone, or no longer the object the source stored, is
// exit 3 naming it.
func TestDiffUnreadableBatch(t *testing.T) {
	project(t)
	a := runSynthetic(t, "100", "")
	runSynthetic(t, "100", "")
	key := filepath.Join(".connector-dev", "s3", "buckets", "connector-dev", "synthetic-accounts", a, "batch-000001.parquet")
	f, err := os.OpenFile(key, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("xx")
	f.Close()
	code, _, errs := cli(t, "diff")
	if code != 3 || !strings.Contains(errs, "synthetic-accounts/"+a+"/batch-000001.parquet: size mismatch") {
		t.Errorf("changed batch: exit %d %q", code, errs)
	}
	if err := os.Remove(key); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(t, "diff")
	if code != 3 || !strings.Contains(errs, a+"/batch-000001.parquet") || strings.Count(errs, "\n") != 1 {
		t.Errorf("missing batch: exit %d %q", code, errs)
	}
}
