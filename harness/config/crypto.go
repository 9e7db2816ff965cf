package config

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fernet/fernet-go"
)

// KeyHint tells a user how to make a Fernet key; every key error ends with it.
const KeyHint = "make one with: openssl rand -base64 32 | tr '+/' '-_'"

// Fernet token layout (https://github.com/fernet/spec): version, timestamp,
// IV, AES-CBC ciphertext (whole blocks, at least one), HMAC-SHA256.
const (
	fernetHeader  = 1 + 8 + 16
	fernetHMAC    = 32
	fernetBlock   = 16
	fernetMinSize = fernetHeader + fernetBlock + fernetHMAC
)

// errWrongKey is the one failure a user sees for a token that is well formed
// but does not verify: Fernet cannot tell a wrong key from an altered token.
var errWrongKey = errors.New("EncryptionCredentialTXT does not decrypt with ENCRYPTION_KEY (wrong key or altered token)")

// GenerateKey returns a new random Fernet key in the form
// Python's Fernet.generate_key() writes (url-safe base64 with padding).
func GenerateKey() (string, error) {
	var k fernet.Key
	if err := k.Generate(); err != nil {
		return "", fmt.Errorf("generate a Fernet key: %w", err)
	}
	return k.Encode(), nil
}

// parseKey decodes a Fernet key as Python's cryptography does: base64 with
// the url-safe or the standard alphabet, padded, 32 bytes. fernet-go's own
// DecodeKey also takes hex, which Python refuses; a key that works here must
// work on the platform too. Errors never quote the key.
func parseKey(key string) (*fernet.Key, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, fmt.Errorf("ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is empty; %s", KeyHint)
	}
	if len(key) != 44 { // 32 bytes in padded base64
		return nil, fmt.Errorf("ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it is %d characters, a key is 44; %s", len(key), KeyHint)
	}
	std := strings.NewReplacer("-", "+", "_", "/").Replace(key)
	b, err := base64.StdEncoding.Strict().DecodeString(std)
	if err != nil {
		var ce base64.CorruptInputError
		why := "it is not base64"
		if errors.As(err, &ce) {
			why = fmt.Sprintf("character %d is not url-safe base64 (or the = padding is missing)", int64(ce)+1)
		}
		return nil, fmt.Errorf("ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): %s; %s", why, KeyHint)
	}
	if len(b) != len(fernet.Key{}) {
		return nil, fmt.Errorf("ENCRYPTION_KEY is not a Fernet key (32 bytes, url-safe base64): it decodes to %d bytes; %s", len(b), KeyHint)
	}
	var k fernet.Key
	copy(k[:], b)
	return &k, nil
}

// CheckKey reports whether key is a usable Fernet key, with the same error
// text EncryptCredentials and DecryptCredentials give.
func CheckKey(key string) error {
	_, err := parseKey(key)
	return err
}

// EncryptCredentials makes the Fernet token of creds as a JSON object, as the
// platform fills EncryptionCredentialTXT.
func EncryptCredentials(key string, creds map[string]string) (string, error) {
	k, err := parseKey(key)
	if err != nil {
		return "", err
	}
	if creds == nil {
		creds = map[string]string{}
	}
	msg, err := json.Marshal(creds)
	if err != nil {
		return "", fmt.Errorf("encode credentials: %w", err)
	}
	tok, err := fernet.EncryptAndSign(msg, k)
	if err != nil {
		return "", fmt.Errorf("encrypt credentials: %w", err)
	}
	return string(tok), nil
}

// DecryptCredentials opens a Fernet token of a JSON object of credentials.
// String values come back as they are; any other value (a number, a nested
// object) as its JSON text, so a connector sees exactly what the platform
// stored. Tokens never expire here: fixtures keep old tokens.
func DecryptCredentials(key, token string) (map[string]string, error) {
	msg, err := decryptToken(key, token)
	if err != nil {
		return nil, err
	}
	// The plaintext is secret: errors below describe its shape, never its text.
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(msg))
	if err := dec.Decode(&raw); err != nil || raw == nil || dec.More() {
		return nil, errors.New("EncryptionCredentialTXT decrypts, but not to a JSON object of credentials: re-encrypt the credentials as {\"field\": \"value\"}")
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		var s string
		if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
			out[name] = s
			continue
		}
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			return nil, errors.New("EncryptionCredentialTXT decrypts, but not to a JSON object of credentials: re-encrypt the credentials as {\"field\": \"value\"}")
		}
		out[name] = c.String()
	}
	return out, nil
}

// decryptToken verifies and decrypts a Fernet token without a TTL, as
// Python's Fernet.decrypt(token) with no ttl does.
func decryptToken(key, token string) ([]byte, error) {
	k, err := parseKey(key)
	if err != nil {
		return nil, err
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("EncryptionCredentialTXT is empty: it should hold the Fernet token of the credentials")
	}
	// Check the shape first: fernet-go panics on a verified token with no
	// ciphertext, and a shape error is more useful to a user than "wrong key".
	b, err := base64.URLEncoding.DecodeString(token)
	if err != nil {
		return nil, errors.New("EncryptionCredentialTXT is not a Fernet token (not url-safe base64): copy the whole token")
	}
	if len(b) < fernetMinSize || (len(b)-fernetHeader-fernetHMAC)%fernetBlock != 0 || b[0] != 0x80 {
		return nil, errors.New("EncryptionCredentialTXT is not a Fernet token (wrong length or version): copy the whole token")
	}
	msg := fernet.VerifyAndDecrypt([]byte(token), 0, []*fernet.Key{k})
	if msg == nil {
		return nil, errWrongKey
	}
	return msg, nil
}
