// Package config reads everything connector-dev needs from disk before a
// run: the platform settings (.env), the developer's credentials
// (.env.credentials), connectors.yaml, job fixtures and their expectations,
// and it holds the credentials crypto (Fernet, as the platform's Python).
//
// Every error here ends a run with exit reason "setup", so each is one line
// that names the file, line or variable at fault and says how to fix it. No
// error ever carries a secret value: names, never values.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// File names Load reads in its directory.
const (
	EnvFile                = ".env"
	EnvExampleFile         = ".env.example"
	CredentialsFile        = ".env.credentials"
	CredentialsExampleFile = ".env.credentials.example"
	ConnectorsFile         = "connectors.yaml"
)

// Defaults of the optional settings.
const (
	DefaultRegion      = "us-east-1"
	DefaultBatchRows   = 50000
	DefaultBatchFormat = "parquet"
	DefaultLogLevel    = "info"
)

// Config is everything Load read: validated settings, the connector specs
// and the merged variables credentials and connector settings come from.
type Config struct {
	// Dir is the directory the files were read from.
	Dir string
	// Settings are the platform settings, validated.
	Settings Settings
	// Connectors is connectors.yaml, by connector name.
	Connectors map[string]ConnectorSpec
	// Notes tell the user which fallbacks were used (an .example file read
	// in place of the real one, a variable set twice); show them, they are
	// not errors.
	Notes []string

	vars     map[string]string // merged: environment > .env > .env.credentials
	origin   map[string]string // where each of vars came from, for messages
	files    []string          // the files actually read, in order
	credFile string            // the credentials file read, or CredentialsFile
}

// Settings are the platform settings, validated.
type Settings struct {
	// Bucket is S3_BUCKET (required).
	Bucket string
	// Region is S3_REGION (default us-east-1).
	Region string
	// AccessKeyID is S3_ACCESS_KEY_ID (required).
	AccessKeyID string
	// SecretKey is S3_SECRET_ACCESS_KEY (required; secret).
	SecretKey string
	// EncryptionKey is ENCRYPTION_KEY (required; a Fernet key; secret).
	EncryptionKey string
	// BatchRows is BATCH_ROWS (default 50000; at least 1).
	BatchRows int
	// BatchFormat is BATCH_FORMAT: parquet (default) or csv.
	BatchFormat string
	// LogLevel is LOG_LEVEL: debug, info (default), warn or error.
	LogLevel string
	// S3Endpoint is S3_ENDPOINT: a real S3 or moto URL to use instead of the
	// embedded fake, http(s)://host[:port]; "" for the embedded one.
	S3Endpoint string
}

// OriginEnv marks a variable that came from the process environment.
const OriginEnv = "the environment"

// Load reads, in dir: .env (or .env.example when .env is missing),
// .env.credentials (or .env.credentials.example) and connectors.yaml.
// environ, in os.Environ() form, overrides both files; an empty value counts
// as unset everywhere, so "FOO=" never hides a file's value. Settings are
// validated and every problem is listed in one error.
func Load(dir string, environ []string) (*Config, error) {
	c := &Config{Dir: dir, vars: map[string]string{}, origin: map[string]string{}}

	// Lowest precedence first, so later layers overwrite.
	credLines, credFile, err := c.readLayer(CredentialsFile, CredentialsExampleFile,
		"copy it to .env.credentials to use your own credentials", "credentials come from the environment only")
	if err != nil {
		return nil, err
	}
	c.credFile = credFile
	if c.credFile == "" {
		c.credFile = c.display(CredentialsFile)
	}
	envLines, envFile, err := c.readLayer(EnvFile, EnvExampleFile,
		"copy it to .env to change settings", "settings come from the environment only")
	if err != nil {
		return nil, err
	}
	c.apply(credLines, credFile)
	c.apply(envLines, envFile)
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" || value == "" {
			continue
		}
		c.vars[name] = value
		c.origin[name] = OriginEnv
	}

	settingsFile := envFile
	if settingsFile == "" {
		settingsFile = c.display(EnvFile)
	}
	if c.Settings, err = c.settings(settingsFile); err != nil {
		return nil, err
	}

	path := c.display(ConnectorsFile)
	src, err := os.ReadFile(filepath.Join(dir, ConnectorsFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file: it lists each connector's kind, credentials and env (see the README)", path)
		}
		return nil, readError(path, "connectors file", err)
	}
	c.files = append(c.files, path)
	if c.Connectors, err = parseConnectorsYAML(path, src); err != nil {
		return nil, err
	}
	return c, nil
}

// readLayer reads name, or example when name is missing, and notes the
// fallback. It returns the parsed lines and the file read ("" for none).
func (c *Config) readLayer(name, example, copyHint, noneNote string) ([]envLine, string, error) {
	for i, n := range []string{name, example} {
		path := c.display(n)
		src, err := os.ReadFile(filepath.Join(c.Dir, n))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, "", readError(path, "settings file", err)
		}
		lines, err := parseDotenv(path, src)
		if err != nil {
			return nil, "", err
		}
		if i == 1 {
			c.Notes = append(c.Notes, fmt.Sprintf("no %s: using %s (%s)", name, n, copyHint))
		}
		for _, l := range lines {
			if l.Expanded {
				// The name only: the value is likely a secret.
				c.Notes = append(c.Notes, fmt.Sprintf("%s:%d: %s: godotenv expanded a $NAME in the value, as a shell does (from the lines above; an unknown name becomes empty): put the value in single quotes to keep it as written", path, l.Line, l.Name))
			}
		}
		c.files = append(c.files, path)
		return lines, path, nil
	}
	c.Notes = append(c.Notes, fmt.Sprintf("no %s or %s: %s", name, example, noneNote))
	return nil, "", nil
}

// apply layers one file's variables over the ones read so far. Within a
// file the last line wins; an empty value counts as unset, so it never hides
// a lower layer's value.
func (c *Config) apply(lines []envLine, file string) {
	first := map[string]int{}
	last := map[string]string{}
	var order []string
	for _, l := range lines {
		if at, dup := first[l.Name]; dup {
			c.Notes = append(c.Notes, fmt.Sprintf("%s:%d: %s is set again (first on line %d); the later value wins", file, l.Line, l.Name, at))
		} else {
			first[l.Name] = l.Line
			order = append(order, l.Name)
		}
		last[l.Name] = l.Value
	}
	for _, name := range order {
		if v := last[name]; v != "" {
			c.vars[name] = v
			c.origin[name] = file
		}
	}
}

// display names a file as the user knows it: relative when Load read the
// current directory.
func (c *Config) display(name string) string {
	if c.Dir == "" || c.Dir == "." {
		return name
	}
	return filepath.Join(c.Dir, name)
}

// bucketName follows the S3 bucket naming rules that matter in practice.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// settings validates the platform settings, listing every problem at once.
func (c *Config) settings(file string) (Settings, error) {
	// Stray spaces are never meant: "S3_BUCKET= b " is the bucket "b".
	get := func(name string) string { return strings.TrimSpace(c.vars[name]) }
	s := Settings{
		Bucket:        get("S3_BUCKET"),
		Region:        get("S3_REGION"),
		AccessKeyID:   get("S3_ACCESS_KEY_ID"),
		SecretKey:     get("S3_SECRET_ACCESS_KEY"),
		EncryptionKey: get("ENCRYPTION_KEY"),
		BatchFormat:   strings.ToLower(get("BATCH_FORMAT")),
		LogLevel:      strings.ToLower(get("LOG_LEVEL")),
		S3Endpoint:    get("S3_ENDPOINT"),
	}
	var missing, bad []string
	for _, name := range []string{"S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "ENCRYPTION_KEY"} {
		if get(name) == "" {
			missing = append(missing, name)
		}
	}
	// from names where a value came from when that is not the settings file,
	// so a bad value set in the shell is not hunted for in .env.
	from := func(name string) string {
		if o := c.origin[name]; o != "" && o != file {
			return " (from " + o + ")"
		}
		return ""
	}
	if s.Bucket != "" && !bucketName.MatchString(s.Bucket) {
		bad = append(bad, fmt.Sprintf("S3_BUCKET %q%s is not a bucket name (3-63 lowercase letters, digits, '-' and '.')", s.Bucket, from("S3_BUCKET")))
	}
	if s.Region == "" {
		s.Region = DefaultRegion
	}
	if s.EncryptionKey != "" {
		if err := CheckKey(s.EncryptionKey); err != nil {
			bad = append(bad, strings.Replace(err.Error(), "ENCRYPTION_KEY", "ENCRYPTION_KEY"+from("ENCRYPTION_KEY"), 1))
		}
	}
	s.BatchRows = DefaultBatchRows
	if v := get("BATCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			bad = append(bad, fmt.Sprintf("BATCH_ROWS %q%s is not a whole number >= 1", v, from("BATCH_ROWS")))
		}
		s.BatchRows = n
	}
	switch s.BatchFormat {
	case "":
		s.BatchFormat = DefaultBatchFormat
	case "parquet", "csv":
	default:
		bad = append(bad, fmt.Sprintf("BATCH_FORMAT %q%s is not parquet or csv", get("BATCH_FORMAT"), from("BATCH_FORMAT")))
	}
	switch s.LogLevel {
	case "":
		s.LogLevel = DefaultLogLevel
	case "debug", "info", "warn", "error":
	default:
		bad = append(bad, fmt.Sprintf("LOG_LEVEL %q%s is not debug, info, warn or error", get("LOG_LEVEL"), from("LOG_LEVEL")))
	}
	if s.S3Endpoint != "" {
		if problem := checkEndpoint(s.S3Endpoint); problem != "" {
			bad = append(bad, "S3_ENDPOINT"+from("S3_ENDPOINT")+" "+problem)
		}
		s.S3Endpoint = strings.TrimSuffix(s.S3Endpoint, "/")
	}
	var parts []string
	if len(missing) > 0 {
		m := "missing " + strings.Join(missing, ", ")
		if filepath.Base(file) == EnvFile {
			// The commonest cause: a new .env with only the lines being changed.
			m += " (.env replaces .env.example: start from a copy of it)"
		}
		parts = append(parts, m)
	}
	if len(parts) == 0 && len(bad) > 0 {
		// Every bad value came from one place other than the file (the
		// shell): blame that place, not a file that holds none of them.
		if o := onlyOrigin(bad); o != "" {
			for i := range bad {
				bad[i] = strings.Replace(bad[i], " (from "+o+")", "", 1)
			}
			file = o
		}
	}
	parts = append(parts, bad...)
	if len(parts) > 0 {
		return Settings{}, fmt.Errorf("%s: %s", file, strings.Join(parts, "; "))
	}
	return s, nil
}

// onlyOrigin is the origin every one of the problems names with
// " (from X)", or "" when some name none or they differ.
func onlyOrigin(problems []string) string {
	origin := ""
	for _, p := range problems {
		_, rest, ok := strings.Cut(p, " (from ")
		o, _, closed := strings.Cut(rest, ")")
		if !ok || !closed || (origin != "" && o != origin) {
			return ""
		}
		origin = o
	}
	return origin
}

// checkEndpoint says what is wrong with an S3_ENDPOINT, or "". A URL with a
// user or password is refused without being echoed: it holds a secret.
func checkEndpoint(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.User != nil {
		return "must not carry a user or password: put keys in S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"
	}
	want := fmt.Sprintf("%q is not http(s)://host[:port]", raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return want
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return want
		}
	}
	return ""
}

// Files lists the files Load read, in the order it read them.
func (c *Config) Files() []string { return append([]string(nil), c.files...) }

// Lookup returns a merged variable (environment > .env > .env.credentials)
// and where it came from: a file name or "the environment".
func (c *Config) Lookup(name string) (value, origin string, ok bool) {
	v, ok := c.vars[name]
	return v, c.origin[name], ok
}

// Connector returns the connectors.yaml entry for name. An unknown name is
// an error that suggests the nearest known one and lists them all.
func (c *Config) Connector(name string) (ConnectorSpec, error) {
	if s, ok := c.Connectors[name]; ok {
		return s, nil
	}
	file := c.display(ConnectorsFile)
	names := sortedNames(c.Connectors)
	if len(names) == 0 {
		return ConnectorSpec{}, fmt.Errorf("connector %q is not in %s, which lists no connectors: add it with its kind, credentials and env", name, file)
	}
	hint := ""
	if n := Nearest(name, names); n != "" {
		hint = fmt.Sprintf(": did you mean %q?", n)
	}
	return ConnectorSpec{}, fmt.Errorf("connector %q is not in %s%s (known: %s)", name, file, hint, strings.Join(names, ", "))
}

// Credentials collects the connector's credential fields from
// <CONNECTOR>_<FIELD> variables. Every missing one is listed in one error.
func (c *Config) Credentials(spec ConnectorSpec) (map[string]string, error) {
	out := make(map[string]string, len(spec.Credentials))
	var missing []string
	for _, f := range spec.Credentials {
		v := c.vars[spec.CredentialVar(f)]
		if strings.TrimSpace(v) == "" {
			missing = append(missing, spec.CredentialVar(f))
			continue
		}
		out[f] = v
	}
	if len(missing) > 0 {
		hint := "add NAME=value lines, or set them in the environment"
		if filepath.Base(c.credFile) == CredentialsFile {
			hint += "; .env.credentials replaces .env.credentials.example: start from a copy of it"
		}
		return nil, fmt.Errorf("%s: missing credentials for %s: %s (%s)", c.credFile, spec.Name, strings.Join(missing, ", "), hint)
	}
	return out, nil
}

// Env returns the connector's declared settings that are set
// (environment > .env > .env.credentials); the rest take the connector's
// own defaults.
func (c *Config) Env(spec ConnectorSpec) map[string]string {
	out := make(map[string]string, len(spec.Env))
	for _, name := range spec.Env {
		if v, ok := c.vars[name]; ok {
			out[name] = v
		}
	}
	return out
}

// Secrets returns every secret value known, longest first so a scrubber
// replaces a secret before any shorter secret inside it: the S3 secret key,
// the encryption key, every credential value of every connector (but those
// connectors.yaml marks secret: false), and any variable whose name contains
// SECRET, TOKEN, PASSWORD or KEY.
//
// Name-matched values skip two cases that would wreck every log line while
// protecting nothing: names ending in _ID (S3_ACCESS_KEY_ID is an identifier
// AWS prints freely, and equals the bucket name in .env.example) and short or
// boolean/numeric values such as "1" or "false" of USE_TOKEN-style flags.
func (c *Config) Secrets() []string {
	set := map[string]bool{}
	add := func(v string) {
		if strings.TrimSpace(v) != "" {
			set[v] = true
		}
	}
	add(c.Settings.SecretKey)
	add(c.Settings.EncryptionKey)
	for _, spec := range c.Connectors {
		for _, f := range spec.Credentials {
			if spec.Secret(f) {
				add(c.vars[spec.CredentialVar(f)])
			}
		}
	}
	shown := c.notSecretVars()
	for name, v := range c.vars {
		upper := strings.ToUpper(name)
		if shown[name] || strings.HasSuffix(upper, "_ID") || !containsAny(upper, "SECRET", "TOKEN", "PASSWORD", "KEY") || trivialValue(v) {
			continue
		}
		add(v)
	}
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i]) != len(out[j]) {
			return len(out[i]) > len(out[j])
		}
		return out[i] < out[j]
	})
	return out
}

// notSecretVars are the variables of credential fields marked secret: false.
func (c *Config) notSecretVars() map[string]bool {
	out := map[string]bool{}
	for _, spec := range c.Connectors {
		for f := range spec.NotSecret {
			out[spec.CredentialVar(f)] = true
		}
	}
	return out
}

func containsAny(s string, words ...string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// trivialValue reports values too common to scrub: short ones, booleans and
// numbers.
func trivialValue(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 6 {
		return true
	}
	if _, err := strconv.ParseBool(v); err == nil {
		return true
	}
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}
