package config

import (
	"strconv"

	"gopkg.in/yaml.v3"

	"connector-dev/connectors"
)

// expectChecksum reads rows_checksum: 16 hex digits, as --update writes it.
func expectChecksum(p *yamlProblems, v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return "" // no check, as if left out
	}
	if _, err := strconv.ParseUint(v.Value, 16, 64); v.Kind != yaml.ScalarNode || len(v.Value) != 16 || err != nil {
		p.addf(v, "rows_checksum %q is not 16 hex digits (run connector-dev test --update to write it)", v.Value)
		return ""
	}
	return v.Value
}

// expectSchema reads schema: a mapping of column names to types, in the
// destination's column order.
func expectSchema(p *yamlProblems, v *yaml.Node) []SchemaColumn {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		p.addf(v, "schema: want COLUMN: TYPE lines, such as id: string")
		return nil
	}
	out := []SchemaColumn{}
	seen := map[string]bool{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, t := v.Content[i], v.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			p.addf(k, "schema: want a column name")
			continue
		}
		if seen[k.Value] {
			p.addf(k, "schema: column %s is listed twice", k.Value)
			continue
		}
		seen[k.Value] = true
		if _, err := connectors.ParseType(t.Value); t.Kind != yaml.ScalarNode || err != nil {
			p.addf(t, "schema: column %s: type %q: want string, int64, float64, bool or timestamp", k.Value, t.Value)
			continue
		}
		out = append(out, SchemaColumn{Name: k.Value, Type: t.Value})
	}
	return out
}

// expectSamples reads samples: a list of rows, each COLUMN: value.
func expectSamples(p *yamlProblems, v *yaml.Node) []SampleRow {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.addf(v, "samples: want a list of rows, such as - {id: 1, name: Acme}")
		return nil
	}
	var out []SampleRow
	for n, r := range v.Content {
		if r.Kind != yaml.MappingNode || len(r.Content) == 0 {
			p.addf(r, "samples: row %d: want COLUMN: value pairs, such as {id: 1, name: Acme}", n+1)
			continue
		}
		var row SampleRow
		for i := 0; i+1 < len(r.Content); i += 2 {
			k, val := r.Content[i], r.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Value == "" || val.Kind != yaml.ScalarNode {
				p.addf(val, "samples: row %d: %s: want a column name and a single value", n+1, k.Value)
				continue
			}
			row = append(row, SampleCell{Name: k.Value, Value: val.Value, Null: val.Tag == "!!null"})
		}
		out = append(out, row)
	}
	return out
}
