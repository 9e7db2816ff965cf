package sqlite

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"connector-dev/connectors"
)

// stagingTable picks the name a Replace run loads into before it swaps the
// table in: the user's table name, replaceSuffix and a random part, checked
// to be free (SQLite compares names without regard to case), so a user's own
// table can never be taken for the staging one and dropped. The run creates
// it inside its transaction, so a failed run leaves nothing behind.
func stagingTable(conn *db, table string) (string, error) {
	for range 8 {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("pick a staging table name: %w", err)
		}
		name := table + replaceSuffix + "_" + hex.EncodeToString(b[:])
		taken, err := tableExists(conn, name)
		if err != nil {
			return "", fmt.Errorf("look for table %s: %w", quote(name), err)
		}
		if !taken {
			return name, nil
		}
	}
	return "", fmt.Errorf("no free staging table name beside %s after 8 tries", quote(table))
}

// tableExists reports whether the main schema has a table, view, index or
// trigger of that name, in any case: each would make CREATE TABLE fail.
func tableExists(conn *db, name string) (bool, error) {
	got, err := conn.textColumn("SELECT name FROM sqlite_master WHERE name = ? COLLATE NOCASE", name)
	return len(got) > 0, err
}

// caseDuplicate returns the first two of fields whose names differ only in
// ASCII case (a table holds them as one column), or "", "".
func caseDuplicate(fields []connectors.Field) (first, second string) {
	seen := make(map[string]string, len(fields))
	for _, f := range fields {
		k := asciiLower(f.Name)
		if prev, ok := seen[k]; ok {
			return prev, f.Name
		}
		seen[k] = f.Name
	}
	return "", ""
}

// asciiLower folds ASCII letters only, as SQLite compares identifiers.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
