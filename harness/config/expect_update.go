package config

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// ExpectUpdate is what to write into an expectations file: each field
// that is set replaces its key's value, or adds the key at the end; the
// rest of the file (its comments, order, env: and every other key) stays.
type ExpectUpdate struct {
	Exit          *string
	Rows, Batches *int64
	RowsChecksum  *string
	Schema        []SchemaColumn // nil: leave schema alone
	// Samples is the whole new list of sample rows (nil: leave samples
	// alone; empty: remove the key). A row equal to one the file lists
	// keeps that row's node, so its style and comments stay.
	Samples []SampleRow
}

// UpdateExpectations applies u to the expectations file src by editing its
// YAML node tree, so that what it does not set keeps its shape. It returns
// the new file and a line per change ("rows: 7 -> 10000"); with no change
// the bytes are src's own.
func UpdateExpectations(file string, src []byte, u ExpectUpdate) ([]byte, []string, error) {
	if _, err := parseExpectations(file, src); err != nil {
		return nil, nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, yamlSyntaxError(file, err)
	}
	// A file of comments only parses to nothing: keep its text above.
	var above []byte
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		for _, l := range bytes.Split(src, []byte("\n")) {
			if l = bytes.TrimSpace(l); bytes.HasPrefix(l, []byte("#")) && utf8.Valid(l) {
				above = append(append(above, l...), '\n')
			}
		}
		doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
	}
	root := doc.Content[0]
	var changes []string
	set := func(key, text, tag string) {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value != key {
				continue
			}
			v := root.Content[i+1]
			if v.Kind == yaml.ScalarNode && v.Value == text && v.Tag != "!!null" {
				return
			}
			old := v.Value
			if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				old = "(none)"
			}
			*v = yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text, Style: v.Style &^ (yaml.FlowStyle | yaml.LiteralStyle | yaml.FoldedStyle),
				LineComment: v.LineComment, HeadComment: v.HeadComment, FootComment: v.FootComment}
			changes = append(changes, fmt.Sprintf("%s: %s -> %s", key, old, text))
			return
		}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key},
			&yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: text})
		changes = append(changes, fmt.Sprintf("%s: (none) -> %s", key, text))
	}
	if u.Exit != nil {
		set("exit", *u.Exit, "!!str")
	}
	if u.Rows != nil {
		set("rows", strconv.FormatInt(*u.Rows, 10), "!!int")
	}
	if u.Batches != nil {
		set("batches", strconv.FormatInt(*u.Batches, 10), "!!int")
	}
	if u.RowsChecksum != nil {
		set("rows_checksum", *u.RowsChecksum, "!!str")
	}
	if u.Schema != nil {
		changes = append(changes, setSchema(root, u.Schema)...)
	}
	if u.Samples != nil {
		changes = append(changes, setSamples(root, u.Samples)...)
	}
	if len(changes) == 0 {
		return src, nil, nil
	}
	out := bytes.NewBuffer(above)
	enc := yaml.NewEncoder(out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, nil, fmt.Errorf("%s: write: %w", file, err)
	}
	if err := enc.Close(); err != nil {
		return nil, nil, fmt.Errorf("%s: write: %w", file, err)
	}
	return out.Bytes(), changes, nil
}

// setSchema makes root's schema: the columns cols, keeping the node (and
// comments) of each column it already lists.
func setSchema(root *yaml.Node, cols []SchemaColumn) []string {
	var node *yaml.Node
	added := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "schema" {
			node = root.Content[i+1]
		}
	}
	if node == nil {
		node, added = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, true
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "schema"}, node)
	}
	old := map[string][2]*yaml.Node{}
	var oldOrder []string
	if node.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(node.Content); i += 2 {
			old[node.Content[i].Value] = [2]*yaml.Node{node.Content[i], node.Content[i+1]}
			oldOrder = append(oldOrder, node.Content[i].Value)
		}
	}
	var changes []string
	var content []*yaml.Node
	var newOrder []string
	for _, c := range cols {
		newOrder = append(newOrder, c.Name)
		kv, ok := old[c.Name]
		switch {
		case !ok:
			kv = [2]*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Name}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Type}}
			changes = append(changes, fmt.Sprintf("schema: column %s (%s) added", c.Name, c.Type))
		case kv[1].Value != c.Type:
			changes = append(changes, fmt.Sprintf("schema: column %s: %s -> %s", c.Name, kv[1].Value, c.Type))
			kv[1].Value, kv[1].Tag, kv[1].Kind = c.Type, "!!str", yaml.ScalarNode
		}
		delete(old, c.Name)
		content = append(content, kv[0], kv[1])
	}
	for _, name := range oldOrder {
		if _, gone := old[name]; gone {
			changes = append(changes, fmt.Sprintf("schema: column %s removed", name))
		}
	}
	if len(changes) == 0 && fmt.Sprint(oldOrder) != fmt.Sprint(newOrder) {
		changes = append(changes, "schema: columns reordered")
	}
	if len(changes) == 0 && node.Kind == yaml.MappingNode {
		return nil
	}
	style := node.Style
	if node.Kind != yaml.MappingNode {
		style = 0
	}
	if added || node.Kind != yaml.MappingNode || len(oldOrder) == 0 {
		var list []string
		for _, c := range cols {
			list = append(list, c.Name+" "+c.Type)
		}
		changes = []string{fmt.Sprintf("schema: (none) -> %s", strings.Join(list, ", "))}
	}
	*node = yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: content, Style: style,
		HeadComment: node.HeadComment, LineComment: node.LineComment, FootComment: node.FootComment}
	return changes
}
