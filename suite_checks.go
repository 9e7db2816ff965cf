package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"connector-dev/harness"
	"connector-dev/harness/httprec"
)

// minSecretForm is the shortest form of a secret searched for: shorter
// ones (the hex of a one-letter value) match by chance and would fail
// fixtures that leak nothing.
const minSecretForm = 6

// leakedSecrets names each artifact of a run (every file under dir, and
// the named outputs) holding any form of a secret, as the scrubber knows
// them (httprec.SecretForms): raw, quoted, JSON, URL-escaped, base64, hex.
// The line names the file and never the secret.
func leakedSecrets(secrets []string, dir string, outputs map[string][]byte) []string {
	var forms [][]byte
	for _, s := range secrets {
		for _, f := range httprec.SecretForms(s) {
			if len(f) >= minSecretForm {
				forms = append(forms, []byte(f))
			}
		}
	}
	if len(forms) == 0 {
		return nil
	}
	leaks := map[string]bool{}
	holds := func(b []byte) bool {
		for _, f := range forms {
			if bytes.Contains(b, f) {
				return true
			}
		}
		return false
	}
	for name, b := range outputs {
		if holds(b) {
			leaks["the run's "+name] = true
		}
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err == nil && holds(b) {
			rel, _ := filepath.Rel(dir, path)
			leaks[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	var out []string
	for name := range leaks {
		out = append(out, fmt.Sprintf("free check: a credential (in one of its forms) is in %s", name))
	}
	sort.Strings(out)
	return out
}

// artifactsAgree checks that a finished run's report and its copy of the
// manifest tell the same story: the same batches (key, rows, bytes,
// checksum) in the same order, and the source's rows are the manifest's.
// The destination itself checks every batch object against the manifest
// as it reads it (size and CRC32C), so manifest = report = batches.
func artifactsAgree(state string, rep *harness.Report) []string {
	var out []string
	if rep.Status != "finished" {
		out = append(out, fmt.Sprintf("free check: report.json says status %q, not \"finished\"", rep.Status))
	}
	b, err := os.ReadFile(filepath.Join(state, "runs", rep.RunID, "manifest.json"))
	if err != nil {
		// No manifest: the source did not finish uploading (a failure
		// path, or no source ran); the report must then list no batch
		// that a destination could have read.
		return out
	}
	m, err := harness.ParseManifest(b)
	if err != nil {
		return append(out, fmt.Sprintf("free check: the run's manifest.json does not parse: %v", err))
	}
	if len(m.Batches) != len(rep.Batches) {
		out = append(out, fmt.Sprintf("free check: manifest lists %d batches, report.json %d", len(m.Batches), len(rep.Batches)))
	} else {
		for i, mb := range m.Batches {
			rb := rep.Batches[i]
			if mb.Key != rb.Key || mb.Rows != rb.Rows || mb.Bytes != rb.Bytes || mb.CRC32C != rb.CRC32C {
				out = append(out, fmt.Sprintf("free check: batch %d differs: manifest %s (%d rows, %d bytes), report.json %s (%d rows, %d bytes)",
					i+1, mb.Key, mb.Rows, mb.Bytes, rb.Key, rb.Rows, rb.Bytes))
			}
		}
	}
	var sum int64
	for _, mb := range m.Batches {
		sum += mb.Rows
	}
	if sum != m.Rows {
		out = append(out, fmt.Sprintf("free check: manifest says %d rows, its batches hold %d", m.Rows, sum))
	}
	for _, st := range rep.Stages {
		if st.Name == "source" && st.Rows != m.Rows {
			out = append(out, fmt.Sprintf("free check: the source reported %d rows, the manifest %d", st.Rows, m.Rows))
		}
	}
	return out
}
