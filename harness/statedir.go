package harness

import (
	"os"
	"path/filepath"
)

// makeRunDir makes the run's folder private: the state folder (when this
// creates it), its runs/ and the run's folder are 0700, as everything in
// them (reports, logs, the job) is written 0600. An existing state folder
// named with --state-dir keeps its mode: it may be a folder of the user's.
func (r *Run) makeRunDir() error {
	if err := os.MkdirAll(r.opts.StateDir, 0o700); err != nil {
		return err
	}
	for _, d := range []string{filepath.Dir(r.runDir), r.runDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
		if err := os.Chmod(d, 0o700); err != nil {
			return err
		}
	}
	return nil
}
