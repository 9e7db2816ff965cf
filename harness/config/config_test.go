package config

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// repoRoot holds the committed .example files and connectors.yaml.
const repoRoot = "../.."

const testConnectors = `
synthetic:
  kind: source
  credentials: []
  env: [SYNTHETIC_ROWS]
sqlite:
  kind: destination
  credentials: [database]
salesforce:
  kind: source
  credentials: [token, client-key]
  env: [SALESFORCE_LOGIN_URL, SALESFORCE_CLIENT_SECRET]
`

// validEnv is a complete, valid settings file.
const validEnv = "S3_BUCKET=b-1\nS3_ACCESS_KEY_ID=AKIDEXAMPLE\nS3_SECRET_ACCESS_KEY=s3-secret-value\nENCRYPTION_KEY=" + testKey + "\n"

// writeDir makes a directory with the given files.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRepoExampleFiles loads the committed example files, as a fresh clone
// does on its first run.
func TestRepoExampleFiles(t *testing.T) {
	files := map[string]string{}
	for _, name := range []string{EnvExampleFile, CredentialsExampleFile, ConnectorsFile} {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	dir := writeDir(t, files)
	c, err := Load(dir, nil)
	if err != nil {
		t.Fatalf("the committed example files do not load: %v", err)
	}
	wantNotes := []string{
		"no .env.credentials: using .env.credentials.example (copy it to .env.credentials to use your own credentials)",
		"no .env: using .env.example (copy it to .env to change settings)",
	}
	if !reflect.DeepEqual(c.Notes, wantNotes) {
		t.Errorf("notes:\n got %q\nwant %q", c.Notes, wantNotes)
	}
	s := c.Settings
	if s.Bucket != "connector-dev" || s.Region != "us-east-1" || s.AccessKeyID != "connector-dev" || s.SecretKey != "connector-dev-secret" ||
		s.BatchRows != 50000 || s.BatchFormat != "parquet" || s.LogLevel != "info" || s.S3Endpoint != "" {
		t.Errorf("settings from .env.example: %+v", s)
	}
	if err := CheckKey(s.EncryptionKey); err != nil {
		t.Error(err)
	}
	// Every entry of the file, whatever connectors it lists (adding one
	// must not turn this red), loads with all its fields. The file is
	// decoded here on its own, as plain YAML, to compare with.
	var raw map[string]struct {
		Kind        string   `yaml:"kind"`
		Credentials []any    `yaml:"credentials"`
		Env         []string `yaml:"env"`
	}
	if err := yaml.Unmarshal([]byte(files[ConnectorsFile]), &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) == 0 {
		t.Fatal("connectors.yaml lists no connector")
	}
	want := map[string]ConnectorSpec{}
	for name, e := range raw {
		spec := ConnectorSpec{Name: name, Kind: e.Kind, Credentials: []string{}, Env: append([]string{}, e.Env...)}
		for _, c := range e.Credentials {
			switch c := c.(type) {
			case string:
				spec.Credentials = append(spec.Credentials, c)
			case map[string]any: // {name: x, secret: false}
				n, _ := c["name"].(string)
				spec.Credentials = append(spec.Credentials, n)
				if secret, ok := c["secret"].(bool); ok && !secret {
					if spec.NotSecret == nil {
						spec.NotSecret = map[string]bool{}
					}
					spec.NotSecret[n] = true
				}
			default:
				t.Fatalf("connectors.yaml: %s: credential %v is neither a name nor {name, secret}", name, c)
			}
		}
		want[name] = spec
	}
	norm := func(m map[string]ConnectorSpec) map[string]ConnectorSpec {
		out := map[string]ConnectorSpec{}
		for k, v := range m {
			v.Credentials, v.Env = append([]string{}, v.Credentials...), append([]string{}, v.Env...)
			out[k] = v
		}
		return out
	}
	if !reflect.DeepEqual(norm(c.Connectors), want) {
		t.Errorf("connectors.yaml:\n got %+v\nwant %+v", c.Connectors, want)
	}
	for name, spec := range want {
		if _, err := c.Credentials(spec); err != nil {
			t.Errorf("%s: the example credentials are incomplete: %v", name, err)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := writeDir(t, map[string]string{
		EnvFile:         validEnv + "BATCH_ROWS=10\nLOG_LEVEL=DEBUG\nSALESFORCE_LOGIN_URL=https://from-dotenv\n",
		CredentialsFile: "SALESFORCE_TOKEN=file-token\nSALESFORCE_CLIENT_KEY=file-key\nSALESFORCE_LOGIN_URL=https://from-credentials\nS3_REGION=eu-west-1\nSQLITE_DATABASE=w.db\n",
		ConnectorsFile:  testConnectors,
	})
	environ := []string{"BATCH_ROWS=20", "SALESFORCE_TOKEN=env-token", "S3_BUCKET=", "NOEQUALS", "=C:=C:\\"}
	c, err := Load(dir, environ)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notes) != 0 {
		t.Errorf("unexpected notes %q", c.Notes)
	}
	s := c.Settings
	if s.BatchRows != 20 {
		t.Errorf("BatchRows %d: the environment should win over .env", s.BatchRows)
	}
	if s.Bucket != "b-1" {
		t.Errorf("Bucket %q: an empty environment value should not hide .env", s.Bucket)
	}
	if s.Region != "eu-west-1" || s.LogLevel != "debug" {
		t.Errorf("Region %q, LogLevel %q", s.Region, s.LogLevel)
	}
	spec, err := c.Connector("salesforce")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := c.Credentials(spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"token": "env-token", "client-key": "file-key"}; !reflect.DeepEqual(creds, want) {
		t.Errorf("credentials %v, want %v", creds, want)
	}
	if got := c.Env(spec); !reflect.DeepEqual(got, map[string]string{"SALESFORCE_LOGIN_URL": "https://from-dotenv"}) {
		t.Errorf("Env: %v (.env should win over .env.credentials; unset names left out)", got)
	}
	if v, origin, ok := c.Lookup("SALESFORCE_TOKEN"); !ok || v != "env-token" || origin != "the environment" {
		t.Errorf("Lookup: %q from %q", v, origin)
	}
	if want := []string{filepath.Join(dir, CredentialsFile), filepath.Join(dir, EnvFile), filepath.Join(dir, ConnectorsFile)}; !reflect.DeepEqual(c.Files(), want) {
		t.Errorf("Files %q, want %q", c.Files(), want)
	}
}

func TestLoadEnvironmentOnly(t *testing.T) {
	dir := writeDir(t, map[string]string{ConnectorsFile: testConnectors})
	environ := []string{"S3_BUCKET=ci-bucket", "S3_ACCESS_KEY_ID=id", "S3_SECRET_ACCESS_KEY=secret", "ENCRYPTION_KEY=" + testKey}
	c, err := Load(dir, environ)
	if err != nil {
		t.Fatal(err)
	}
	wantNotes := []string{
		"no .env.credentials or .env.credentials.example: credentials come from the environment only",
		"no .env or .env.example: settings come from the environment only",
	}
	if !reflect.DeepEqual(c.Notes, wantNotes) {
		t.Errorf("notes %q", c.Notes)
	}
	if c.Settings.Bucket != "ci-bucket" {
		t.Errorf("bucket %q", c.Settings.Bucket)
	}
}

func TestLoadDuplicateNote(t *testing.T) {
	dir := writeDir(t, map[string]string{EnvFile: validEnv + "# later\nBATCH_ROWS=5\nBATCH_ROWS=7\n", ConnectorsFile: testConnectors})
	c, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, EnvFile) + ":7: BATCH_ROWS is set again (first on line 6); the later value wins"
	if !slices.Contains(c.Notes, want) || c.Settings.BatchRows != 7 {
		t.Errorf("notes %q, BatchRows %d", c.Notes, c.Settings.BatchRows)
	}
}

func TestLoadSettingsErrors(t *testing.T) {
	const secret = "s3-secret-value"
	tests := []struct {
		name    string
		env     string
		environ []string
		want    string
	}{
		{"the documented example",
			"S3_ACCESS_KEY_ID=a\nS3_SECRET_ACCESS_KEY=" + secret + "\nBATCH_ROWS=ten\nBATCH_FORMAT=xml\n", nil,
			`.env: missing S3_BUCKET, ENCRYPTION_KEY (.env replaces .env.example: start from a copy of it); BATCH_ROWS "ten" is not a whole number >= 1; BATCH_FORMAT "xml" is not parquet or csv`},
		{"all missing", "", nil, `.env: missing S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, ENCRYPTION_KEY (.env replaces .env.example: start from a copy of it)`},
		{"blank counts as missing", strings.Replace(validEnv, "S3_BUCKET=b-1", "S3_BUCKET='  '", 1), nil, `.env: missing S3_BUCKET (.env replaces .env.example: start from a copy of it)`},
		{"zero rows", validEnv + "BATCH_ROWS=0\n", nil, `.env: BATCH_ROWS "0" is not a whole number >= 1`},
		{"log level", validEnv + "LOG_LEVEL=verbose\n", nil, `.env: LOG_LEVEL "verbose" is not debug, info, warn or error`},
		{"bad value from the environment says so", validEnv, []string{"BATCH_FORMAT=json"},
			`the environment: BATCH_FORMAT "json" is not parquet or csv`},
		{"zero rows from the environment names it, not the file", validEnv, []string{"BATCH_ROWS=0"},
			`the environment: BATCH_ROWS "0" is not a whole number >= 1`},
		{"file and environment both bad: each says where", validEnv + "LOG_LEVEL=verbose\n", []string{"BATCH_ROWS=0"},
			`.env: BATCH_ROWS "0" (from the environment) is not a whole number >= 1; LOG_LEVEL "verbose" is not debug, info, warn or error`},
		{"bucket name", strings.Replace(validEnv, "b-1", "My_Bucket", 1), nil,
			`.env: S3_BUCKET "My_Bucket" is not a bucket name (3-63 lowercase letters, digits, '-' and '.')`},
		{"short key, never echoed", strings.Replace(validEnv, testKey, "c2hvcnQta2V5", 1), nil,
			".env: ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is 12 characters, a key is 44; " + KeyHint},
		{"key from the environment", validEnv, []string{"ENCRYPTION_KEY=c2hvcnQta2V5"},
			"the environment: ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is 12 characters, a key is 44; " + KeyHint},
		{"endpoint scheme", validEnv + "S3_ENDPOINT=localhost:9000\n", nil, `.env: S3_ENDPOINT "localhost:9000" is not http(s)://host[:port]`},
		{"endpoint path", validEnv + "S3_ENDPOINT=http://h:9000/bucket\n", nil, `.env: S3_ENDPOINT "http://h:9000/bucket" is not http(s)://host[:port]`},
		{"endpoint port", validEnv + "S3_ENDPOINT=http://h:99999\n", nil, `.env: S3_ENDPOINT "http://h:99999" is not http(s)://host[:port]`},
		{"endpoint with password is not echoed", validEnv + "S3_ENDPOINT=http://u:" + secret + "@h:9000\n", nil,
			`.env: S3_ENDPOINT must not carry a user or password: put keys in S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Config{Dir: ".", vars: map[string]string{}, origin: map[string]string{}}
			lines, err := parseDotenv(".env", []byte(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			c.apply(lines, ".env")
			for _, kv := range tt.environ {
				k, v, _ := strings.Cut(kv, "=")
				c.vars[k], c.origin[k] = v, OriginEnv
			}
			_, err = c.settings(".env")
			if err == nil {
				t.Fatal("settings accepted, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			assertNoLeak(t, err.Error(), secret, testKey)
		})
	}
}

func TestLoadGoodEndpoint(t *testing.T) {
	dir := writeDir(t, map[string]string{EnvFile: validEnv + "S3_ENDPOINT=http://127.0.0.1:5000/\n", ConnectorsFile: testConnectors})
	c, err := Load(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.S3Endpoint != "http://127.0.0.1:5000" {
		t.Errorf("S3Endpoint %q", c.Settings.S3Endpoint)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // after the directory prefix
	}{
		{"no connectors.yaml", map[string]string{EnvFile: validEnv}, "connectors.yaml: no such file: it lists each connector's kind, credentials and env (see the README)"},
		{"bad .env line", map[string]string{EnvFile: "A=1\n\nnot a line\n", ConnectorsFile: testConnectors}, ".env:3: expected NAME=value (comment the line out with # if it is a note)"},
		{"bad example line names the example", map[string]string{EnvExampleFile: "A='x\n", ConnectorsFile: testConnectors}, ".env.example:1: A: the value's opening ' is never closed"},
		{"bad credentials line", map[string]string{EnvFile: validEnv, CredentialsFile: "SQLITE DATABASE=x\n", ConnectorsFile: testConnectors}, ".env.credentials:1: the name before = is not a variable name (letters, digits and _, not starting with a digit)"},
		{"bad settings name the example file", map[string]string{EnvExampleFile: "S3_BUCKET=x\n", ConnectorsFile: testConnectors}, ".env.example: missing S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, ENCRYPTION_KEY; S3_BUCKET \"x\" is not a bucket name (3-63 lowercase letters, digits, '-' and '.')"},
		{"bad connectors.yaml", map[string]string{EnvFile: validEnv, ConnectorsFile: "a:\n  kind: sink\n"}, `connectors.yaml:2: a: kind "sink" is not source or destination`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeDir(t, tt.files)
			_, err := Load(dir, nil)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if want := filepath.Join(dir, tt.want); err.Error() != want {
				t.Errorf("error\n got: %s\nwant: %s", err, want)
			}
		})
	}
}

func TestConnectorsYAMLErrors(t *testing.T) {
	const file = "connectors.yaml"
	tests := []struct {
		name, src, want string
	}{
		{"unknown key", "sqlite:\n  kind: destination\n  credential: [database]\n", file + `:3: sqlite: unknown key "credential": did you mean credentials? (want kind, credentials, env)`},
		{"missing kind", "sqlite:\n  credentials: [database]\n", file + `:1: sqlite: kind is missing (source or destination)`},
		{"not a list", "s:\n  kind: source\n  env: SYNTHETIC_ROWS\n", file + `:3: s: env: want a list such as [a, b]`},
		{"bad env name", "s:\n  kind: source\n  env: [ROWS, 2X, A-B]\n", file + `:3: s: env entry "2X": use letters, digits and _, not starting with a digit; ` + file + `:3: s: env entry "A-B": use letters, digits and _, not starting with a digit`},
		{"bad field", "s:\n  kind: source\n  credentials: [\"a b\"]\n", file + `:3: s: credentials entry "a b": use letters, digits, - and _`},
		{"twice listed field", "s:\n  kind: source\n  credentials: [a, a]\n", file + `:3: s: credentials lists "a" twice`},
		{"bad connector name", "my connector:\n  kind: source\n", file + `:1: connector name "my connector": use letters, digits, - and _, starting with a letter`},
		{"connector listed twice", "s:\n  kind: source\ns:\n  kind: source\n", file + `:3: connector "s" is listed twice`},
		{"not a mapping", "- s\n", file + `:1: want a mapping of connector name to {kind, credentials, env}`},
		{"entry not a mapping", "s: source\n", file + `:1: s: want kind, credentials and env under the name`},
		{"syntax", "s:\n  kind: source\n bad\n", file + `:2: did not find expected key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseConnectorsYAML(file, []byte(tt.src))
			if err == nil {
				t.Fatal("parseConnectorsYAML succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

func loadTest(t *testing.T, files map[string]string, environ []string) *Config {
	t.Helper()
	c, err := Load(writeDir(t, files), environ)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConnectorLookup(t *testing.T) {
	c := loadTest(t, map[string]string{EnvFile: validEnv, ConnectorsFile: testConnectors}, nil)
	cfile := filepath.Join(c.Dir, ConnectorsFile)
	tests := []struct{ name, want string }{
		{"salesfroce", `connector "salesfroce" is not in ` + cfile + `: did you mean "salesforce"? (known: salesforce, sqlite, synthetic)`},
		{"SQLite3", `connector "SQLite3" is not in ` + cfile + `: did you mean "sqlite"? (known: salesforce, sqlite, synthetic)`},
		{"postgres", `connector "postgres" is not in ` + cfile + ` (known: salesforce, sqlite, synthetic)`},
	}
	for _, tt := range tests {
		_, err := c.Connector(tt.name)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Connector(%q)\n got: %v\nwant: %s", tt.name, err, tt.want)
		}
	}
	if s, err := c.Connector("sqlite"); err != nil || s.Kind != "destination" {
		t.Errorf("Connector(sqlite) = %+v, %v", s, err)
	}
	empty := loadTest(t, map[string]string{EnvFile: validEnv, ConnectorsFile: "# none yet\n"}, nil)
	_, err := empty.Connector("sqlite")
	if want := `connector "sqlite" is not in ` + filepath.Join(empty.Dir, ConnectorsFile) + `, which lists no connectors: add it with its kind, credentials and env`; err == nil || err.Error() != want {
		t.Errorf("empty connectors.yaml: %v", err)
	}
}

func TestCredentialsMissing(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"all missing, listed once", map[string]string{EnvFile: validEnv, CredentialsFile: "SALESFORCE_TOKEN=\n"},
			".env.credentials: missing credentials for salesforce: SALESFORCE_TOKEN, SALESFORCE_CLIENT_KEY (add NAME=value lines, or set them in the environment; .env.credentials replaces .env.credentials.example: start from a copy of it)"},
		{"names the example file in use", map[string]string{EnvFile: validEnv, CredentialsExampleFile: "SALESFORCE_TOKEN=t\n"},
			".env.credentials.example: missing credentials for salesforce: SALESFORCE_CLIENT_KEY (add NAME=value lines, or set them in the environment)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.files[ConnectorsFile] = testConnectors
			c := loadTest(t, tt.files, nil)
			_, err := c.Credentials(c.Connectors["salesforce"])
			if want := filepath.Join(c.Dir, tt.want); err == nil || err.Error() != want {
				t.Errorf("error\n got: %v\nwant: %s", err, want)
			}
		})
	}
	c := loadTest(t, map[string]string{EnvFile: validEnv, ConnectorsFile: testConnectors}, nil)
	if creds, err := c.Credentials(c.Connectors["synthetic"]); err != nil || len(creds) != 0 {
		t.Errorf("a connector without credentials: %v, %v", creds, err)
	}
}

func TestSecrets(t *testing.T) {
	c := loadTest(t, map[string]string{
		EnvFile:         validEnv + "SALESFORCE_LOGIN_URL=https://login.example\n",
		CredentialsFile: "SALESFORCE_TOKEN=tok\nSQLITE_DATABASE=w.db\n",
		ConnectorsFile:  testConnectors,
	}, []string{"SALESFORCE_CLIENT_SECRET=client-secret-123", "USE_TOKEN=false", "KEYBOARD_LAYOUT=1", "MY_API_KEY_ID=not-a-secret-id", "HOME=/root"})
	got := c.Secrets()
	want := []string{testKey, "client-secret-123", "s3-secret-value", "w.db", "tok"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Secrets\n got %q\nwant %q", got, want)
	}
}

// FuzzLoadDotenv writes arbitrary text as .env and loads it: no panic, one
// line errors naming .env, and never the value of a secret setting.
func FuzzLoadDotenv(f *testing.F) {
	f.Add([]byte(validEnv))
	f.Add([]byte(validEnv + "BATCH_ROWS=x\nLOG_LEVEL=y\nS3_ENDPOINT=ftp://u:p@h\n"))
	f.Add([]byte("S3_SECRET_ACCESS_KEY=\"abc\nENCRYPTION_KEY=zzzz\n"))
	f.Add([]byte("export A='b' # c\n"))
	dir := f.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ConnectorsFile), []byte(testConnectors), 0o600); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, EnvFile)
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir, nil)
		if err == nil {
			return
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, path) || strings.ContainsAny(msg, "\n\r") {
			t.Fatalf("error is not one line naming .env: %q", msg)
		}
		lines, perr := parseDotenv(path, src)
		if perr != nil {
			return
		}
		echoed := map[string]bool{}
		for _, l := range lines {
			if slices.Contains([]string{"S3_BUCKET", "BATCH_ROWS", "BATCH_FORMAT", "LOG_LEVEL", "S3_ENDPOINT"}, l.Name) {
				echoed[l.Value] = true
			}
		}
		for _, l := range lines {
			if (l.Name == "S3_SECRET_ACCESS_KEY" || l.Name == "ENCRYPTION_KEY") && len(l.Value) >= 8 && !echoed[l.Value] &&
				!strings.Contains(vocabulary+KeyHint, l.Value) && strings.Contains(msg, l.Value) {
				t.Fatalf("error leaks %s: %q", l.Name, msg)
			}
		}
	})
}

// connectors.yaml is user input: any bytes give a spec map or one line.
func FuzzParseConnectorsYAML(f *testing.F) {
	f.Add([]byte(testConnectors))
	f.Add([]byte("s:\n  kind: source\n  env: SYNTHETIC_ROWS\n"))
	f.Add([]byte("a: [1, 2\n"))
	f.Add([]byte("x:\n  kind: destination\n  credentials: [database, database]\n"))
	f.Add([]byte("x:\n  kind: destination\n  credentials: [token, {name: database, secret: false}]\n"))
	f.Add([]byte("x:\n  kind: source\n  credentials: [{name: a, secret: maybe}, {secret: false}, {name: b, other: 1}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		specs, err := parseConnectorsYAML("connectors.yaml", src)
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "connectors.yaml") || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("error is not one line naming connectors.yaml: %q", msg)
			}
			return
		}
		for name, s := range specs {
			if s.Kind != "source" && s.Kind != "destination" {
				t.Fatalf("%s accepted with kind %q", name, s.Kind)
			}
			listed := map[string]bool{}
			for _, c := range s.Credentials {
				listed[c] = true
			}
			for c := range s.NotSecret {
				if !listed[c] {
					t.Fatalf("%s: %q is not secret but not a credential", name, c)
				}
			}
			if s.NotSecret[""] || (len(s.NotSecret) > 0 && !bytes.Contains(src, []byte("false"))) {
				t.Fatalf("%s: not-secret fields %v without secret: false", name, s.NotSecret)
			}
		}
	})
}
