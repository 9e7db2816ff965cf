package harness

import (
	"reflect"
	"testing"

	"connector-dev/connectors"
)

// The picked samples do not depend on the order the rows arrive in, nor
// on how they are split into batches; a row holding a secret is never
// picked, nor a row loaded twice picked twice.
func TestSamplePicker(t *testing.T) {
	frame := func(ids ...int64) *connectors.Frame {
		f := connectors.NewFrame(connectors.Field{Name: "id", Type: connectors.Int64}, connectors.Field{Name: "note", Type: connectors.String, Nullable: true})
		for _, id := range ids {
			var note any = "plain"
			switch id {
			case 5:
				note = nil
			case 6:
				note = "has s3cr3t-value inside"
			}
			if err := f.AppendRow(id, note); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	pickAll := func(frames ...*connectors.Frame) ([][]*string, RowsChecksum) {
		p := &samplePicker{scrub: newScrubber([]string{"s3cr3t-value"})}
		var sum RowsChecksum
		for _, f := range frames {
			sum.addAndPick(f, p)
		}
		return p.rows(), sum
	}
	a, sumA := pickAll(frame(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
	b, sumB := pickAll(frame(10, 9, 8), frame(7, 6, 5, 4), frame(3, 2, 1))
	if len(a) != SampleRows || !reflect.DeepEqual(a, b) || sumA != sumB {
		t.Fatalf("picks depend on order: %v vs %v", texts(a), texts(b))
	}
	var all RowsChecksum
	all.Add(frame(1, 2, 3, 4, 5, 6, 7, 8, 9, 10))
	if all != sumA {
		t.Errorf("addAndPick's checksum %s, Add's %s", sumA, all)
	}
	only, _ := pickAll(frame(6, 6, 2, 2))
	if got := texts(only); !reflect.DeepEqual(got, [][]string{{"2", "plain"}}) {
		t.Errorf("from rows 6 (a secret), 6, 2, 2: picked %v, want row 2 once", got)
	}
	nulls, _ := pickAll(frame(5))
	if len(nulls) != 1 || nulls[0][1] != nil {
		t.Errorf("a null is not picked as a nil cell: %v", texts(nulls))
	}
}

func texts(rows [][]*string) [][]string {
	var out [][]string
	for _, r := range rows {
		var cells []string
		for _, c := range r {
			if c == nil {
				cells = append(cells, "~")
			} else {
				cells = append(cells, *c)
			}
		}
		out = append(out, cells)
	}
	return out
}
