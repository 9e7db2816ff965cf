package config

import (
	"slices"
	"testing"
)

// A credential field marked secret: false is not among the secrets; the
// others of the same connector still are, and a single-quoted token keeps
// every byte (quotes, <, &, spaces) through the dotenv parser.
func TestNotSecretCredential(t *testing.T) {
	const token = `a "b" <c> & d`
	c := loadTest(t, map[string]string{
		EnvFile:         validEnv,
		CredentialsFile: "PG_DATABASE=/srv/warehouse.db\nPG_TOKEN='" + token + "'\n",
		ConnectorsFile:  "pg:\n  kind: destination\n  credentials: [token, {name: database, secret: false}]\n",
	}, nil)
	spec, err := c.Connector("pg")
	if err != nil {
		t.Fatal(err)
	}
	if spec.Secret("database") || !spec.Secret("token") {
		t.Errorf("secret database=%v token=%v, want false and true", spec.Secret("database"), spec.Secret("token"))
	}
	creds, err := c.Credentials(spec)
	if err != nil {
		t.Fatal(err)
	}
	if creds["token"] != token {
		t.Errorf("token read as %q, want %q", creds["token"], token)
	}
	got := c.Secrets()
	if slices.Contains(got, "/srv/warehouse.db") || !slices.Contains(got, token) {
		t.Errorf("Secrets %q: want the token and not the database path", got)
	}
}

// A wrong secret: value is one line naming the file and the line.
func TestNotSecretBadValue(t *testing.T) {
	_, err := parseConnectorsYAML("connectors.yaml", []byte("pg:\n  kind: source\n  credentials: [{name: database, secret: nope}]\n"))
	if err == nil || err.Error() != `connectors.yaml:3: pg: credentials: secret "nope": use true or false` {
		t.Errorf("got %v", err)
	}
}
