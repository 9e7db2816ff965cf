package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// String is the row as a miss line and a change line show it:
// {id: 7, name: Acme, updated_at: ~}.
func (r SampleRow) String() string {
	var cells []string
	for _, c := range r {
		v := c.Value
		if c.Null {
			v = "~"
		}
		cells = append(cells, c.Name+": "+v)
	}
	return "{" + strings.Join(cells, ", ") + "}"
}

// equal: the same columns with the same values, in the same order.
func (r SampleRow) equal(o SampleRow) bool {
	if len(r) != len(o) {
		return false
	}
	for i, c := range r {
		d := o[i]
		if c.Name != d.Name || c.Null != d.Null || (!c.Null && c.Value != d.Value) {
			return false
		}
	}
	return true
}

// setSamples makes root's samples the rows, one flow mapping per row
// (- {id: 1, name: Acme}), keeping the node of each row the file already
// lists; no rows removes the key.
func setSamples(root *yaml.Node, rows []SampleRow) []string {
	at := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "samples" {
			at = i
		}
	}
	var oldRows []SampleRow
	var oldNodes []*yaml.Node
	if at >= 0 && root.Content[at+1].Kind == yaml.SequenceNode {
		var p yamlProblems
		oldNodes = root.Content[at+1].Content
		for _, n := range oldNodes {
			oldRows = append(oldRows, expectSamples(&p, &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{n}})...)
		}
		if len(oldRows) != len(oldNodes) { // a row that does not parse: rewrite them all
			oldRows, oldNodes = nil, nil
		}
	}
	if len(rows) == 0 {
		if at < 0 {
			return nil
		}
		root.Content = append(root.Content[:at], root.Content[at+2:]...)
		return []string{fmt.Sprintf("samples: %d rows -> (none)", len(oldRows))}
	}
	var changes []string
	used := make([]bool, len(oldRows))
	content := make([]*yaml.Node, len(rows))
	for i, r := range rows {
		for j, o := range oldRows {
			if !used[j] && o.equal(r) {
				used[j], content[i] = true, oldNodes[j]
				break
			}
		}
		if content[i] == nil {
			content[i] = sampleNode(r)
			if at >= 0 {
				changes = append(changes, "samples: row "+r.String()+" added")
			}
		}
	}
	for j, u := range used {
		if !u {
			changes = append(changes, fmt.Sprintf("samples: row %d %s removed", j+1, oldRows[j]))
		}
	}
	if at < 0 {
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "samples"},
			&yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: content})
		return []string{fmt.Sprintf("samples: (none) -> %d rows", len(rows))}
	}
	if len(changes) == 0 && len(oldNodes) == len(content) {
		same := true
		for i := range content {
			same = same && content[i] == oldNodes[i]
		}
		if same {
			return nil
		}
		changes = []string{"samples: rows reordered"}
	}
	v := root.Content[at+1]
	*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: content,
		HeadComment: v.HeadComment, LineComment: v.LineComment, FootComment: v.FootComment}
	return changes
}

// sampleNode is a row as a flow mapping. A text that YAML would read as a
// null (~, null) is quoted; the rest is written as YAML likes best, since
// a sample's values are compared by their text (and numbers by value).
func sampleNode(r SampleRow) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	for _, c := range r {
		v := &yaml.Node{Kind: yaml.ScalarNode, Value: c.Value}
		switch {
		case c.Null:
			v.Tag, v.Value = "!!null", "~"
		case c.Value == "~" || strings.EqualFold(c.Value, "null"):
			v.Tag = "!!str"
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: c.Name}, v)
	}
	return n
}

// LoadExpectationsBytes parses src as the expectations file at file (named
// in errors): what LoadExpectations does with the file's bytes.
func LoadExpectationsBytes(file string, src []byte) (*Expectations, error) {
	return parseExpectations(file, src)
}
