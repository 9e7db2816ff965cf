package config

import (
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConnectorSpec is one connector's entry in connectors.yaml.
type ConnectorSpec struct {
	// Name is the key in connectors.yaml, the name jobs and the registry use.
	Name string
	// Kind is "source" or "destination".
	Kind string
	// Credentials are the field names of the connector's credentials, e.g.
	// ["token"]; each value comes from <CONNECTOR>_<FIELD> (upper-cased, '-'
	// to '_') in .env.credentials or the environment.
	Credentials []string
	// NotSecret holds the credential fields connectors.yaml marks
	// `secret: false` ({name: database, secret: false}): their values are
	// shown in logs and errors. Every other field is secret.
	NotSecret map[string]bool
	// Env names the environment settings the connector reads. All are
	// optional: the connector applies its own defaults.
	Env []string
}

// Secret reports whether a credential field's value is scrubbed from every
// log, report and cassette: true unless connectors.yaml says secret: false.
func (s ConnectorSpec) Secret(field string) bool { return !s.NotSecret[field] }

// CredentialVar is the variable that holds a credential field of the
// connector: salesforce + token is SALESFORCE_TOKEN.
func (s ConnectorSpec) CredentialVar(field string) string {
	return strings.ToUpper(strings.ReplaceAll(s.Name+"_"+field, "-", "_"))
}

// yamlProblems gathers connectors.yaml problems so a user fixes them in one go.
type yamlProblems struct {
	file string
	list []string
}

func (p *yamlProblems) addf(n *yaml.Node, format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf("%s:%d: ", p.file, n.Line)+fmt.Sprintf(format, args...))
}

// parseConnectorsYAML reads connectors.yaml: a mapping from connector name to
// {kind, credentials, env}. Every problem is reported with its line, in one
// error, and unknown keys are errors so a typo cannot silently drop a
// credential.
func parseConnectorsYAML(file string, src []byte) (map[string]ConnectorSpec, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, yamlSyntaxError(file, err)
	}
	out := map[string]ConnectorSpec{}
	if len(doc.Content) == 0 {
		return out, nil // an empty file lists no connectors; Connector() says so
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of connector name to {kind, credentials, env}", file, root.Line)
	}
	p := &yamlProblems{file: file}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := root.Content[i], root.Content[i+1]
		name := kn.Value
		if kn.Kind != yaml.ScalarNode || !validConnectorName(name) {
			p.addf(kn, "connector name %q: use letters, digits, - and _, starting with a letter", name)
			continue
		}
		if _, dup := out[name]; dup {
			p.addf(kn, "connector %q is listed twice", name)
			continue
		}
		spec := ConnectorSpec{Name: name}
		if vn.Kind != yaml.MappingNode {
			p.addf(vn, "%s: want kind, credentials and env under the name", name)
			continue
		}
		seen := map[string]bool{}
		for j := 0; j+1 < len(vn.Content); j += 2 {
			fk, fv := vn.Content[j], vn.Content[j+1]
			if seen[fk.Value] {
				p.addf(fk, "%s: %s is set twice", name, fk.Value)
				continue
			}
			seen[fk.Value] = true
			switch fk.Value {
			case "kind":
				if fv.Kind != yaml.ScalarNode || (fv.Value != "source" && fv.Value != "destination") {
					p.addf(fv, "%s: kind %q is not source or destination", name, fv.Value)
					continue
				}
				spec.Kind = fv.Value
			case "credentials":
				spec.Credentials, spec.NotSecret = credentialList(p, fv, name)
			case "env":
				spec.Env = nameList(p, fv, name, "env", validEnvName, "letters, digits and _, not starting with a digit")
			default:
				hint := ""
				if n := Nearest(fk.Value, []string{"kind", "credentials", "env"}); n != "" {
					hint = fmt.Sprintf(": did you mean %s?", n)
				}
				p.addf(fk, "%s: unknown key %q%s (want kind, credentials, env)", name, fk.Value, hint)
			}
		}
		if !seen["kind"] {
			p.addf(kn, "%s: kind is missing (source or destination)", name)
		}
		if spec.Credentials == nil {
			spec.Credentials = []string{}
		}
		if spec.Env == nil {
			spec.Env = []string{}
		}
		out[name] = spec
	}
	if len(p.list) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(p.list, "; "))
	}
	return out, nil
}

// credentialList reads the credentials list: each entry a field name, or
// {name: field, secret: false} for a value that may be shown.
func credentialList(p *yamlProblems, n *yaml.Node, conn string) ([]string, map[string]bool) {
	if n.Kind != yaml.SequenceNode {
		return nameList(p, n, conn, "credentials", validFieldName, "letters, digits, - and _"), nil
	}
	plain := &yaml.Node{Kind: yaml.SequenceNode, Line: n.Line, Column: n.Column}
	var notSecret map[string]bool
	for _, item := range n.Content {
		if item.Kind != yaml.MappingNode {
			plain.Content = append(plain.Content, item)
			continue
		}
		var field *yaml.Node
		secret, ok := true, true
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			switch k.Value {
			case "name":
				field = v
			case "secret":
				if v.Kind != yaml.ScalarNode || (v.Value != "true" && v.Value != "false") {
					p.addf(v, "%s: credentials: secret %q: use true or false", conn, v.Value)
					ok = false
				}
				secret = v.Value != "false"
			default:
				p.addf(k, "%s: credentials: unknown key %q (want name and secret, e.g. {name: database, secret: false})", conn, k.Value)
				ok = false
			}
		}
		if field == nil {
			p.addf(item, "%s: credentials: an entry without name (write {name: database, secret: false})", conn)
			continue
		}
		plain.Content = append(plain.Content, field)
		if ok && !secret && field.Kind == yaml.ScalarNode {
			if notSecret == nil {
				notSecret = map[string]bool{}
			}
			notSecret[field.Value] = true
		}
	}
	return nameList(p, plain, conn, "credentials", validFieldName, "letters, digits, - and _"), notSecret
}

// nameList reads a YAML list of names (or null for none).
func nameList(p *yamlProblems, n *yaml.Node, conn, key string, valid func(string) bool, rule string) []string {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!null" || n.Value == "") {
		return []string{}
	}
	if n.Kind != yaml.SequenceNode {
		p.addf(n, "%s: %s: want a list such as [a, b]", conn, key)
		return nil
	}
	out := []string{}
	seen := map[string]bool{}
	for _, item := range n.Content {
		switch {
		case item.Kind != yaml.ScalarNode || !valid(item.Value):
			p.addf(item, "%s: %s entry %q: use %s", conn, key, item.Value, rule)
		case seen[item.Value]:
			p.addf(item, "%s: %s lists %q twice", conn, key, item.Value)
		default:
			seen[item.Value] = true
			out = append(out, item.Value)
		}
	}
	return out
}

func validConnectorName(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	return validFieldName(s)
}

func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '-' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// yamlSyntaxError turns a yaml.v3 error ("yaml: line 3: mapping values are
// not allowed in this context") into "file:3: mapping values ...".
func yamlSyntaxError(file string, err error) error {
	msg := oneLine(strings.TrimPrefix(err.Error(), "yaml: "))
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		_, rest, _ := strings.Cut(msg, ":")
		return fmt.Errorf("%s:%d:%s", file, line, rest)
	}
	return fmt.Errorf("%s: %s", file, msg)
}

// oneLine folds a multi-line library error into the single line a user sees.
func oneLine(s string) string {
	f := strings.Fields(s)
	return strings.Join(f, " ")
}

// sortedNames lists the keys of the connector map in order.
func sortedNames(m map[string]ConnectorSpec) []string {
	out := make([]string, 0, len(m))
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
