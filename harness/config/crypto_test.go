package config

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fernet/fernet-go"
)

// testKey is a throwaway key for tests; it protects nothing.
const testKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="

func TestEncryptDecryptRoundTrip(t *testing.T) {
	creds := map[string]string{"token": "refresh-123", "database": ".connector-dev/warehouse.db", "empty": "", "quote": `a"b\c`, "unicode": "café ✓"}
	tok, err := EncryptCredentials(testKey, creds)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range creds {
		if v != "" && strings.Contains(tok, v) {
			t.Fatalf("token contains the plaintext %q", v)
		}
	}
	got, err := DecryptCredentials(testKey, tok)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, creds) {
		t.Errorf("round trip: got %v, want %v", got, creds)
	}
	// A nil map is the "no credentials" case (synthetic): an empty object.
	tok, err = EncryptCredentials(testKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := DecryptCredentials(testKey, tok); err != nil || len(got) != 0 {
		t.Errorf("nil credentials: got %v, %v; want an empty map", got, err)
	}
}

// pythonFixture is testdata/python_fernet.json, made once with Python's
// cryptography (see its _comment).
type pythonFixture struct {
	Key             string `json:"key"`
	Token           string `json:"token"`
	CredentialsJSON string `json:"credentials_json"`
}

func readPythonFixture(t *testing.T) pythonFixture {
	t.Helper()
	b, err := os.ReadFile("testdata/python_fernet.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx pythonFixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	return fx
}

func TestDecryptPythonToken(t *testing.T) {
	fx := readPythonFixture(t)
	got, err := DecryptCredentials(fx.Key, fx.Token)
	if err != nil {
		t.Fatalf("a token made by Python's cryptography does not decrypt: %v", err)
	}
	want := map[string]string{
		"token":   "python-made-refresh-token",
		"port":    "5432",
		"nested":  `{"a":[1,true,null]}`,
		"unicode": "café ✓",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestPythonDecryptsOurToken proves the other direction when a Python with
// cryptography is on the machine.
func TestPythonDecryptsOurToken(t *testing.T) {
	py := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import cryptography").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("no python3 with cryptography")
	}
	creds := map[string]string{"token": "go-made-token", "unicode": "café ✓"}
	tok, err := EncryptCredentials(testKey, creds)
	if err != nil {
		t.Fatal(err)
	}
	script := `import sys, json
from cryptography.fernet import Fernet
print(json.dumps(json.loads(Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()))))`
	out, err := exec.Command(py, "-c", script, testKey, tok).Output()
	if err != nil {
		t.Fatalf("python could not decrypt our token: %v", err)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	if !reflect.DeepEqual(got, creds) {
		t.Errorf("python read %v, want %v", got, creds)
	}
}

// TestSpecVector decrypts the published vector of the Fernet spec
// (github.com/fernet/spec generate.json).
func TestSpecVector(t *testing.T) {
	const (
		secret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
		token  = "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA=="
	)
	msg, err := decryptToken(secret, token)
	if err != nil {
		t.Fatal(err)
	}
	if string(msg) != "hello" {
		t.Errorf("got %q, want hello", msg)
	}
}

func TestCryptoErrors(t *testing.T) {
	good, err := EncryptCredentials(testKey, map[string]string{"token": "s3cr3t-plaintext"})
	if err != nil {
		t.Fatal(err)
	}
	otherKey := "IhrB4nDN3qzHsz35QR4_isq9X9RSv6XbyfD7uJotmkI="
	raw, _ := base64.URLEncoding.DecodeString(good)
	raw[40] ^= 1
	tampered := base64.URLEncoding.EncodeToString(raw)
	k, _ := parseKey(testKey)
	notObject, _ := fernet.EncryptAndSign([]byte(`["s3cr3t-plaintext"]`), k)
	notJSON, _ := fernet.EncryptAndSign([]byte(`s3cr3t-plaintext`), k)

	tests := []struct {
		name, key, token, want string
	}{
		{"empty key", "", good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is empty; " + KeyHint},
		{"short key", "c2hvcnQta2V5", good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is 12 characters, a key is 44; " + KeyHint},
		{"not base64", "not a key at all!", good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is 17 characters, a key is 44; " + KeyHint},
		{"not base64, right length", "not a key at all, but forty-four characters!", good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): character 4 is not url-safe base64 (or the = padding is missing); " + KeyHint},
		{"44 characters, 33 bytes", strings.Repeat("A", 44), good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it decodes to 33 bytes; " + KeyHint},
		{"hex key (Python refuses it)", strings.Repeat("ab", 32), good, "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is 64 characters, a key is 44; " + KeyHint},
		{"wrong key", otherKey, good, "EncryptionCredentialTXT does not decrypt with ENCRYPTION_KEY (wrong key or altered token)"},
		{"tampered", testKey, tampered, "EncryptionCredentialTXT does not decrypt with ENCRYPTION_KEY (wrong key or altered token)"},
		{"empty token", testKey, " ", "EncryptionCredentialTXT is empty: it should hold the Fernet token of the credentials"},
		{"not base64 token", testKey, "s3cr3t-plaintext!", "EncryptionCredentialTXT is not a Fernet token (not url-safe base64): copy the whole token"},
		{"truncated token", testKey, good[:60], "EncryptionCredentialTXT is not a Fernet token (wrong length or version): copy the whole token"},
		{"not an object", testKey, string(notObject), `EncryptionCredentialTXT decrypts, but not to a JSON object of credentials: re-encrypt the credentials as {"field": "value"}`},
		{"not JSON", testKey, string(notJSON), `EncryptionCredentialTXT decrypts, but not to a JSON object of credentials: re-encrypt the credentials as {"field": "value"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecryptCredentials(tt.key, tt.token)
			if err == nil {
				t.Fatal("DecryptCredentials succeeded, want an error")
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			assertNoLeak(t, err.Error(), tt.key, tt.token, "s3cr3t-plaintext")
		})
	}
	if _, err := EncryptCredentials("c2hvcnQta2V5", nil); err == nil || !strings.HasPrefix(err.Error(), "ENCRYPTION_KEY is not a Fernet key") {
		t.Errorf("EncryptCredentials with a bad key: %v", err)
	}
}

func assertNoLeak(t *testing.T, msg string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) >= 4 && strings.Contains(msg, s) {
			t.Errorf("error %q contains the secret %q", msg, s)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckKey(k); err != nil {
		t.Errorf("generated key %v", err)
	}
	if k2, _ := GenerateKey(); k2 == k {
		t.Error("two generated keys are equal")
	}
}

// vocabulary is the fixed wording of the crypto errors.
const vocabulary = "ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is empty; it decodes to bytes; " +
	"character is not url-safe base64 (or the = padding is missing); it is not base64; " + KeyHint +
	" EncryptionCredentialTXT does not decrypt with ENCRYPTION_KEY (wrong key or altered token)" +
	" EncryptionCredentialTXT is empty: it should hold the Fernet token of the credentials" +
	" EncryptionCredentialTXT is not a Fernet token (not url-safe base64): copy the whole token" +
	" EncryptionCredentialTXT is not a Fernet token (wrong length or version): copy the whole token" +
	" EncryptionCredentialTXT decrypts, but not to a JSON object of credentials: re-encrypt the credentials as {\"field\": \"value\"}"

// FuzzDecryptCredentials feeds arbitrary tokens and keys: no panic, and an
// error never repeats the token or the key.
func FuzzDecryptCredentials(f *testing.F) {
	good, _ := EncryptCredentials(testKey, map[string]string{"token": "x"})
	f.Add(testKey, good)
	f.Add(testKey, good[:len(good)-4])
	f.Add("", "")
	f.Add("IhrB4nDN3qzHsz35QR4_isq9X9RSv6XbyfD7uJotmkI=", good)
	f.Add(testKey, "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4IwqDA==")
	f.Fuzz(func(t *testing.T, key, token string) {
		_, err := DecryptCredentials(key, token)
		if err != nil {
			// A fuzzed "secret" that is a piece of our own wording is no leak.
			var leaks []string
			for _, s := range []string{key, token} {
				if !strings.Contains(vocabulary, s) {
					leaks = append(leaks, s)
				}
			}
			assertNoLeak(t, err.Error(), leaks...)
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error is not one line: %q", err)
			}
		}
	})
}

// FuzzDecryptPlaintext encrypts arbitrary plaintext with the right key, so
// the JSON path sees everything: no panic, no plaintext in an error, and a
// string-valued object comes back as it went in.
func FuzzDecryptPlaintext(f *testing.F) {
	for _, s := range []string{`{"token":"abc"}`, `[]`, `null`, `{"a":1,"b":{"c":[true]}}`, `{"a":"b"} {"c":"d"}`, `{"a":"\ud800"}`, ``, `not json`} {
		f.Add([]byte(s))
	}
	k, _ := parseKey(testKey)
	f.Fuzz(func(t *testing.T, plain []byte) {
		tok, err := fernet.EncryptAndSignAtTime(plain, k, time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecryptCredentials(testKey, string(tok))
		if err != nil {
			assertNoLeak(t, err.Error(), string(plain))
			return
		}
		var strs map[string]string
		if json.Unmarshal(plain, &strs) == nil && strs != nil {
			for name, v := range strs {
				if got[name] != v {
					t.Fatalf("%q: got %q, want %q", name, got[name], v)
				}
			}
		}
	})
}

func BenchmarkDecryptCredentials(b *testing.B) {
	tok, err := EncryptCredentials(testKey, map[string]string{"token": strings.Repeat("t", 200), "database": "w.db"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := DecryptCredentials(testKey, tok); err != nil {
			b.Fatal(err)
		}
	}
}
