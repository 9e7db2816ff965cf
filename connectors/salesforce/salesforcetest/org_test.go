package salesforcetest

import (
	"testing"
	"time"
)

func TestID18(t *testing.T) {
	// Salesforce's documented example and IDs of other case patterns.
	cases := map[string]string{
		"001A0000006Vm9r": "001A0000006Vm9rIAC",
		"003000000000000": "003000000000000AAA",
		"ABCDEABCDEABCDE": "ABCDEABCDEABCDE555",
	}
	for in, want := range cases {
		if got := ID18(in); got != want {
			t.Errorf("ID18(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestAccountsAreReproducible(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := Accounts(50, 3, from, from.AddDate(0, 1, 0)), Accounts(50, 3, from, from.AddDate(0, 1, 0))
	seen := map[string]bool{}
	for i := range a {
		for k, v := range a[i] {
			if b[i][k] != v {
				t.Fatalf("record %d field %s: %v then %v", i, k, v, b[i][k])
			}
		}
		id := a[i]["Id"].(string)
		if len(id) != 18 || seen[id] {
			t.Errorf("record %d: Id %q is not a fresh 18-character ID", i, id)
		}
		seen[id] = true
		m, err := time.Parse(sfDateTime, a[i]["LastModifiedDate"].(string))
		if err != nil || m.Before(from) || !m.Before(from.AddDate(0, 1, 0)) {
			t.Errorf("record %d: LastModifiedDate %v outside the range (%v)", i, a[i]["LastModifiedDate"], err)
		}
	}
}
