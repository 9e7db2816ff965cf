package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"connector-dev/connectors"
)

func TestLoadJobValid(t *testing.T) {
	job, err := LoadJob("testdata/job_valid.json")
	if err != nil {
		t.Fatal(err)
	}
	want := &connectors.JobDetails{
		ETLJobNM:               "accounts-daily",
		JobDataJSON:            `{"columns": [{"source": "Id", "destination": "account_id"}, {"source": "Name"}]}`,
		SourceObjectID:         "Account",
		DestinationObjectID:    "accounts",
		ContainerNM:            "sqlite-loader",
		VersionNBR:             "3",
		FilteredColumnNM:       "LastModifiedDate",
		StartSelectionNM:       "Yesterday",
		EndSelectionNM:         "Today",
		TimezoneOffsetNBR:      -5.5,
		SourceConnectorNM:      "salesforce",
		DestinationConnectorNM: "sqlite",
		SourceConnectorID:      "17",
		DestinationConnectorID: "22",
		UpdateMethodCD:         connectors.Replace,
	}
	if !reflect.DeepEqual(job, want) {
		t.Errorf("got  %+v\nwant %+v", job, want)
	}
}

func TestLoadJobInlineMapping(t *testing.T) {
	src := `{"ETLJobNM": "j", "SourceConnectorNM": "synthetic", "UpdateMethodCD": 1,
  "JobDataJSON": {"columns": [{"source": "id"}]}}`
	job, err := decodeJob("job.json", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	m, err := connectors.ParseMapping(string(job.JobDataJSON))
	if err != nil || len(m.Columns) != 1 || m.Columns[0].Destination != "id" {
		t.Errorf("inline JobDataJSON: %+v, %v", m, err)
	}
}

func TestLoadJobErrors(t *testing.T) {
	const file = "fixtures/x/job.json"
	tests := []struct {
		name, src, want string
	}{
		{"type error names line, column and field",
			"{\n  \"ETLJobNM\": \"j\",\n  \"SourceConnectorNM\": \"synthetic\",\n  \"UpdateMethodCD\": \"2\"\n}",
			file + `:4:21: UpdateMethodCD: want a number, got string`},
		{"fraction for a whole number",
			`{"ETLJobNM": "j", "SourceConnectorNM": "s", "UpdateMethodCD": 1.5}`,
			file + `:1:63: UpdateMethodCD: want a whole number, got 1.5`},
		{"string field given a number",
			"{\"ETLJobNM\": 7}",
			file + `:1:14: ETLJobNM: want a string, got number`},
		{"flexible field's own message",
			"{\"TimezoneOffsetNBR\": \"five\"}",
			file + `:1:23: TimezoneOffsetNBR: want a number of hours such as -5 or 5.5, got "five"`},
		{"unknown key with suggestion",
			"{\n  \"ETLJobNM\": \"j\",\n  \"SourceConectorNM\": \"s\"\n}",
			file + `:3:3: unknown key "SourceConectorNM": did you mean "SourceConnectorNM"? (keys starting with _ are comments)`},
		{"wrong case is a typo too",
			`{"etljobnm": "j"}`,
			file + `:1:2: unknown key "etljobnm": did you mean "ETLJobNM"? (keys starting with _ are comments)`},
		{"unknown key far from any",
			`{"Zzzzzzzz": 1}`,
			file + `:1:2: unknown key "Zzzzzzzz" (keys starting with _ are comments)`},
		{"every problem at once",
			"{\"ETLJobNM\": 1,\n\"Bogus\": 2}",
			file + `:1:14: ETLJobNM: want a string, got number; ` + file + `:2:1: unknown key "Bogus" (keys starting with _ are comments)`},
		{"duplicate key",
			"{\"ETLJobNM\": \"a\",\n \"ETLJobNM\": \"b\"}",
			file + `:2:2: ETLJobNM is set twice (first on line 1)`},
		{"syntax error",
			"{\n  \"ETLJobNM\": \"j\",\n}",
			file + `:2:18: a comma before }: JSON allows none after the last field`},
		{"missing comma",
			"{\"a\": 1\n \"b\": 2}",
			file + `:2:2: invalid character '"' after object key:value pair`},
		{"truncated",
			"{\"ETLJobNM\": \"j\"",
			file + `:1:17: unexpected end of file: a closing } ] or " is missing`},
		{"empty file", "  \n", file + `: the file is empty: want a JSON object of the job's fields, such as {"ETLJobNM": "my-job", ...}`},
		{"not an object", "\n [1]", file + `:2:2: want a JSON object of the job's fields, got a list`},
		{"not JSON at all", "# connectors.yaml\nsynthetic:\n  kind: source\n", file + `: not a JSON job (a job is a JSON object of the job's fields, {"ETLJobNM": ...}): give a job file such as fixtures/NAME/job.json`},
		{"a .env, its text not shown", "SALESFORCE_TOKEN=s3cret\n", file + `: not a JSON job (a job is a JSON object of the job's fields, {"ETLJobNM": ...}): give a job file such as fixtures/NAME/job.json`},
		{"trailing data",
			`{"ETLJobNM": "j", "SourceConnectorNM": "s", "UpdateMethodCD": 1} {}`,
			file + `:1:66: unexpected text after the job object (one job per file)`},
		{"validation problems, all of them",
			`{"_note": "comments are fine", "UpdateMethodCD": 3, "TimezoneOffsetNBR": 20}`,
			file + `: ETLJobNM is empty: name the job; SourceConnectorNM is empty: name the source connector; UpdateMethodCD is 3: use 1 (Append) or 2 (Replace); TimezoneOffsetNBR is 20: use hours from -14 to 14, such as -5 or 5.5`},
		{"bad mapping",
			`{"ETLJobNM": "j", "SourceConnectorNM": "s", "UpdateMethodCD": 1, "JobDataJSON": "{\"columns\": [{\"source\": \"\"}]}"}`,
			file + `: JobDataJSON: columns[0] has no source name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeJob(file, []byte(tt.src))
			if err == nil {
				t.Fatal("decodeJob succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func TestLoadJobMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := LoadJob(path)
	if err == nil || err.Error() != path+": no such job fixture" {
		t.Errorf("got %v", err)
	}
}

// FuzzLoadJob writes arbitrary bytes to a job file: LoadJob never panics,
// and its error is one line that starts with the path.
func FuzzLoadJob(f *testing.F) {
	seed, _ := os.ReadFile("testdata/job_valid.json")
	f.Add(seed)
	for _, s := range []string{``, `{}`, `[]`, `{"ETLJobNM": 1}`, `{"a":`, `{"JobDataJSON": {"columns": 5}}`, `{"_x": [1, {"y": null}]}`, `{"VersionNBR": {}}`, "{\"ETLJobNM\": \"a\", \"ETLJobNM\": \"b\"} x"} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "job.json")
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		job, err := LoadJob(path)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, path+":") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line starting with the path: %q", msg)
			}
			return
		}
		if errs := job.Validate(); len(errs) > 0 {
			t.Fatalf("LoadJob returned a job that does not validate: %v", errs)
		}
	})
}

func BenchmarkLoadJob(b *testing.B) {
	for b.Loop() {
		if _, err := LoadJob("testdata/job_valid.json"); err != nil {
			b.Fatal(err)
		}
	}
}
