package connectors

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestJSONText(t *testing.T) {
	tests := []struct {
		name string
		in   string // the JobDataJSON value in a job file
		want JSONText
		err  bool
	}{
		{"string, the platform's form", `"{\"columns\":[{\"source\":\"Id\"}]}"`, `{"columns":[{"source":"Id"}]}`, false},
		{"inline object", `{"columns": [{"source": "Id"}]}`, `{"columns": [{"source": "Id"}]}`, false},
		{"inline object with spaces around", ` { "columns": [] } `, `{ "columns": [] }`, false},
		{"null", `null`, "", false},
		{"empty string", `""`, "", false},
		{"inline array is kept for ParseMapping to refuse", `[1]`, `[1]`, false},
		{"number", `12`, `12`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var j JobDetails
			err := json.Unmarshal([]byte(`{"JobDataJSON": `+tc.in+`}`), &j)
			if (err != nil) != tc.err {
				t.Fatalf("Unmarshal error %v, want error %v", err, tc.err)
			}
			if j.JobDataJSON != tc.want {
				t.Errorf("JobDataJSON %q, want %q", j.JobDataJSON, tc.want)
			}
			// It goes back out as a string, the platform's form, and reads back the same.
			out, err := json.Marshal(j.JobDataJSON)
			if err != nil {
				t.Fatal(err)
			}
			var s string
			if err := json.Unmarshal(out, &s); err != nil || s != string(tc.want) {
				t.Errorf("marshalled %s, want the JSON string of %q", out, tc.want)
			}
		})
	}
}

func TestFlexString(t *testing.T) {
	tests := []struct {
		in   string
		want FlexString
		err  string
	}{
		{`"v1.2"`, "v1.2", ""},
		{`12`, "12", ""},
		{`-3.50`, "-3.50", ""},
		{`1e3`, "1e3", ""},
		{`12345678901234567890`, "12345678901234567890", ""},
		{`null`, "", ""},
		{`""`, "", ""},
		{`true`, "", "want a string or a number, got true"},
		{`{"a":1}`, "", `want a string or a number, got {"a":1}`},
	}
	for _, tc := range tests {
		var j JobDetails
		err := json.Unmarshal([]byte(`{"VersionNBR": `+tc.in+`}`), &j)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("VersionNBR %s: error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || j.VersionNBR != tc.want {
			t.Errorf("VersionNBR %s = %q, %v; want %q", tc.in, j.VersionNBR, err, tc.want)
		}
	}
}

func TestFlexFloat(t *testing.T) {
	tests := []struct {
		in   string
		want FlexFloat
		err  string
	}{
		{`-5`, -5, ""},
		{`5.5`, 5.5, ""},
		{`"-5.5"`, -5.5, ""},
		{`" 5.75 "`, 5.75, ""},
		{`""`, 0, ""},
		{`"  "`, 0, ""},
		{`null`, 0, ""},
		{`"five"`, 0, `want a number of hours such as -5 or 5.5, got "five"`},
		{`true`, 0, "want a number of hours such as -5 or 5.5, got true"},
		{`[5]`, 0, "want a number of hours such as -5 or 5.5, got [5]"},
		{`1e999`, 0, "want a number of hours such as -5 or 5.5, got 1e999"},
	}
	for _, tc := range tests {
		var j JobDetails
		err := json.Unmarshal([]byte(`{"TimezoneOffsetNBR": `+tc.in+`}`), &j)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("TimezoneOffsetNBR %s: error %v, want one containing %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || j.TimezoneOffsetNBR != tc.want {
			t.Errorf("TimezoneOffsetNBR %s = %v, %v; want %v", tc.in, j.TimezoneOffsetNBR, err, tc.want)
		}
	}
}

func validJob() JobDetails {
	return JobDetails{ETLJobNM: "accounts", SourceConnectorNM: "salesforce", UpdateMethodCD: Replace,
		JobDataJSON: `{"columns":[{"source":"Id"}]}`, TimezoneOffsetNBR: -5}
}

func TestJobValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(j *JobDetails)
		want []string // every problem, in order
	}{
		{"valid", func(j *JobDetails) {}, nil},
		{"valid with no mapping and append", func(j *JobDetails) { j.JobDataJSON, j.UpdateMethodCD = "", Append }, nil},
		{"empty name", func(j *JobDetails) { j.ETLJobNM = " " }, []string{"ETLJobNM is empty: name the job"}},
		{"slash in name", func(j *JobDetails) { j.ETLJobNM = "a/b" }, []string{`ETLJobNM "a/b" may not contain / or \ (it names the batches' folder): use '-' or '_' instead`}},
		{"backslash in name", func(j *JobDetails) { j.ETLJobNM = `a\b` }, []string{`ETLJobNM "a\\b" may not contain / or \ (it names the batches' folder): use '-' or '_' instead`}},
		{"dot dot", func(j *JobDetails) { j.ETLJobNM = ".." }, []string{`ETLJobNM ".." is a path segment S3 and file systems treat specially: pick a name with letters or digits (it names the batches' folder)`}},
		{"dots inside a name are fine", func(j *JobDetails) { j.ETLJobNM, j.DestinationObjectID = "a..b", "sales.accounts" }, nil},
		{"name at the limit", func(j *JobDetails) { j.ETLJobNM = strings.Repeat("é", MaxJobNameBytes/2) }, nil},
		{"name too long", func(j *JobDetails) { j.ETLJobNM = strings.Repeat("a", 129) }, []string{`ETLJobNM is 129 bytes long: shorten it to at most 128 bytes (it names the batches' folder)`}},
		{"NUL in name", func(j *JobDetails) { j.ETLJobNM = "a\x00b" }, []string{`ETLJobNM has a control character (U+0000 at byte 1): remove it (it names the batches' folder)`}},
		{"newline in name", func(j *JobDetails) { j.ETLJobNM = "a\nb" }, []string{`ETLJobNM has a control character (U+000A at byte 1): remove it (it names the batches' folder)`}},
		{"DEL in name", func(j *JobDetails) { j.ETLJobNM = "ab\x7f" }, []string{`ETLJobNM has a control character (U+007F at byte 2): remove it (it names the batches' folder)`}},
		{"C1 in name", func(j *JobDetails) { j.ETLJobNM = "a\u0085" }, []string{`ETLJobNM has a control character (U+0085 at byte 1): remove it (it names the batches' folder)`}},
		{"bidi override in name", func(j *JobDetails) { j.ETLJobNM = "ab\u202ecod" }, []string{`ETLJobNM has a bidirectional control character (U+202E at byte 2): remove it (it names the batches' folder)`}},
		{"bidi isolate in table", func(j *JobDetails) { j.DestinationObjectID = "t\u2066x" }, []string{`DestinationObjectID has a bidirectional control character (U+2066 at byte 1): remove it (it names the table the destination loads)`}},
		{"not UTF-8", func(j *JobDetails) { j.ETLJobNM = "a\xffb" }, []string{`ETLJobNM is not valid UTF-8: use letters, digits, '-', '_' and '.' (it names the batches' folder)`}},
		{"table with slash", func(j *JobDetails) { j.DestinationObjectID = "a/b" }, []string{`DestinationObjectID "a/b" may not contain / or \ (it names the table the destination loads): use '-' or '_' instead`}},
		{"table too long", func(j *JobDetails) { j.DestinationObjectID = strings.Repeat("t", 300) }, []string{`DestinationObjectID is 300 bytes long: shorten it to at most 255 bytes (it names the table the destination loads)`}},
		{"table dot dot", func(j *JobDetails) { j.DestinationObjectID = ".." }, []string{`DestinationObjectID ".." is a path segment S3 and file systems treat specially: pick a name with letters or digits (it names the table the destination loads)`}},
		{"table with tab", func(j *JobDetails) { j.DestinationObjectID = "a\tb" }, []string{`DestinationObjectID has a control character (U+0009 at byte 1): remove it (it names the table the destination loads)`}},
		{"case-only duplicate columns", func(j *JobDetails) {
			j.JobDataJSON = `{"columns": [{"source": "Name"}, {"source": "n2", "destination": "name"}]}`
		}, []string{`JobDataJSON: destination columns "Name" and "name" differ only in case, which a table holds as one column: rename one`}},
		{"no source", func(j *JobDetails) { j.SourceConnectorNM = "" }, []string{"SourceConnectorNM is empty: name the source connector"}},
		{"update method 0", func(j *JobDetails) { j.UpdateMethodCD = 0 }, []string{"UpdateMethodCD is 0: use 1 (Append) or 2 (Replace)"}},
		{"offset", func(j *JobDetails) { j.TimezoneOffsetNBR = 15 }, []string{"TimezoneOffsetNBR is 15: use hours from -14 to 14, such as -5 or 5.5"}},
		{"mapping", func(j *JobDetails) { j.JobDataJSON = `{"cols":[]}` },
			[]string{`JobDataJSON: json: unknown field "cols" (want {"columns": [{"source": "Id", "destination": "id"}, ...]})`}},
		{"everything at once", func(j *JobDetails) { *j = JobDetails{UpdateMethodCD: 3, TimezoneOffsetNBR: 1.1, JobDataJSON: "[]"} }, []string{
			"ETLJobNM is empty: name the job",
			"SourceConnectorNM is empty: name the source connector",
			"UpdateMethodCD is 3: use 1 (Append) or 2 (Replace)",
			"TimezoneOffsetNBR is 1.1: use whole quarter hours, such as 5.5 or 5.75",
			`JobDataJSON: json: cannot unmarshal array into Go value of type connectors.Mapping (want {"columns": [{"source": "Id", "destination": "id"}, ...]})`,
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := validJob()
			tc.edit(&j)
			var got []string
			for _, err := range j.Validate() {
				got = append(got, err.Error())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Validate:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestJobFileRoundTrip(t *testing.T) {
	in := `{"ETLJobNM":"accounts","JobDataJSON":{"columns":[{"source":"Id","destination":"id"}]},"VersionNBR":3,
		"TimezoneOffsetNBR":"-5.5","SourceConnectorID":101,"UpdateMethodCD":2,"SourceConnectorNM":"salesforce"}`
	var j JobDetails
	if err := json.Unmarshal([]byte(in), &j); err != nil {
		t.Fatal(err)
	}
	if j.VersionNBR != "3" || j.TimezoneOffsetNBR != -5.5 || j.SourceConnectorID != "101" || j.UpdateMethod() != "replace" {
		t.Errorf("read %+v", j)
	}
	out, err := json.Marshal(&j)
	if err != nil {
		t.Fatal(err)
	}
	var back JobDetails
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, j) {
		t.Errorf("round trip\n got %+v\nwant %+v", back, j)
	}
	if !strings.Contains(string(out), `"JobDataJSON":"{\"columns\"`) {
		t.Errorf("JobDataJSON not written as a string: %s", out)
	}
}

func TestUpdateMethod(t *testing.T) {
	for cd, want := range map[int]string{1: "append", 2: "replace", 0: "unknown(0)", 3: "unknown(3)", -1: "unknown(-1)"} {
		if got := (&JobDetails{UpdateMethodCD: cd}).UpdateMethod(); got != want {
			t.Errorf("UpdateMethod() for %d = %q, want %q", cd, got, want)
		}
	}
}

func TestParseMapping(t *testing.T) {
	const hint = ` (want {"columns": [{"source": "Id", "destination": "id"}, ...]})`
	tests := []struct {
		name string
		in   string
		src  []string
		dst  []string
		err  string
	}{
		{"empty", "", []string{}, []string{}, ""},
		{"blank", " \n\t", []string{}, []string{}, ""},
		{"empty object", "{}", []string{}, []string{}, ""},
		{"null", "null", []string{}, []string{}, ""},
		{"empty list", `{"columns":[]}`, []string{}, []string{}, ""},
		{"renames in order", `{"columns":[{"source":"Name","destination":"name"},{"source":"Id","destination":"account_id"}]}`,
			[]string{"Name", "Id"}, []string{"name", "account_id"}, ""},
		{"empty destination keeps the source name", `{"columns":[{"source":"Id"},{"source":"Name","destination":"  "}]}`,
			[]string{"Id", "Name"}, []string{"Id", "Name"}, ""},
		{"names trimmed", `{"columns":[{"source":" Id ","destination":" id\t"}]}`, []string{"Id"}, []string{"id"}, ""},
		{"swap is fine", `{"columns":[{"source":"a","destination":"b"},{"source":"b","destination":"a"}]}`, []string{"a", "b"}, []string{"b", "a"}, ""},
		{"trailing spaces", `{"columns":[]}` + "\n\n", []string{}, []string{}, ""},

		{"no source", `{"columns":[{"source":"Id"},{"destination":"x"}]}`, nil, nil, "JobDataJSON: columns[1] has no source name"},
		{"blank source", `{"columns":[{"source":"  "}]}`, nil, nil, "JobDataJSON: columns[0] has no source name"},
		{"source twice", `{"columns":[{"source":"Id","destination":"a"},{"source":"Id","destination":"b"}]}`, nil, nil,
			`JobDataJSON: source column "Id" is mapped twice`},
		{"destination twice", `{"columns":[{"source":"Id","destination":"x"},{"source":"Name","destination":"x"}]}`, nil, nil,
			`JobDataJSON: destination column "x" is mapped twice`},
		{"default destination twice", `{"columns":[{"source":"Id","destination":"Name"},{"source":"Name"}]}`, nil, nil,
			`JobDataJSON: destination column "Name" is mapped twice`},
		{"unknown key", `{"columns":[],"table":"x"}`, nil, nil, `JobDataJSON: json: unknown field "table"` + hint},
		{"unknown column key", `{"columns":[{"source":"Id","dest":"id"}]}`, nil, nil, `JobDataJSON: json: unknown field "dest"` + hint},
		{"trailing object", `{"columns":[]} {}`, nil, nil, "JobDataJSON: unexpected data after the mapping object"},
		{"trailing word", `{"columns":[]} x`, nil, nil, "JobDataJSON: unexpected data after the mapping object"},
		{"not JSON", `columns: Id`, nil, nil, "JobDataJSON: invalid character 'c' looking for beginning of value" + hint},
		{"cut short", `{"columns":[{"source":"Id"}`, nil, nil, "JobDataJSON: unexpected EOF" + hint},
		{"list", `[{"source":"Id"}]`, nil, nil, "JobDataJSON: json: cannot unmarshal array into Go value of type connectors.Mapping" + hint},
		{"columns not a list", `{"columns":{"source":"Id"}}`, nil, nil,
			"JobDataJSON: json: cannot unmarshal object into Go struct field Mapping.columns of type []connectors.MappingColumn" + hint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMapping(tc.in)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("ParseMapping error %v, want %q", err, tc.err)
				}
				if len(m.Columns) != 0 {
					t.Errorf("mapping %v returned with the error, want none", m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.SourceColumns(); !reflect.DeepEqual(got, tc.src) {
				t.Errorf("SourceColumns %q, want %q", got, tc.src)
			}
			if got := m.DestinationColumns(); !reflect.DeepEqual(got, tc.dst) {
				t.Errorf("DestinationColumns %q, want %q", got, tc.dst)
			}
		})
	}
}
