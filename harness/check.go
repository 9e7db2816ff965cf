package harness

import (
	"context"
	"fmt"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
)

// checkRuntime is the connectors.CheckRuntime of one planned stage. It is
// its own type, not the stage, so a Check cannot reach UploadRows by a type
// assertion.
type checkRuntime struct {
	env   map[string]string
	creds map[string]string
	job   *connectors.JobDetails
}

// Env returns a declared setting of the stage's connector.
func (c checkRuntime) Env(name string) string { return c.env[name] }

// Credentials returns the stage's decrypted credentials.
func (c checkRuntime) Credentials() map[string]string { return c.creds }

// Job returns the stage's copy of the job.
func (c checkRuntime) Job() *connectors.JobDetails { return c.job }

// checkConnectors runs the optional connectors.Checker of every planned
// stage, source first. A failure is a *SetupError naming the connector,
// with every secret the run knows scrubbed from it: the line goes straight
// to the terminal, past the event scrubber.
func (r *Run) checkConnectors() error {
	for _, st := range []*plannedStage{r.source, r.dest} {
		if st == nil {
			continue
		}
		var c any
		if st.reg.NewSource != nil {
			c = st.reg.NewSource()
		} else if st.reg.NewDestination != nil {
			c = st.reg.NewDestination()
		}
		checker, ok := c.(connectors.Checker)
		if !ok {
			continue
		}
		job := *r.job
		job.EncryptionCredentialTXT = st.token
		if err := stage.RunCheck(context.Background(), checker, checkRuntime{env: st.env, creds: st.creds, job: &job}); err != nil {
			msg := newScrubber(r.secrets).Replace(err.Error())
			return setupf("%s: %s", st.reg.Name, msg)
		}
		r.checked = append(r.checked, fmt.Sprintf("%s: %s's own check ok", st.name, st.reg.Name))
	}
	return nil
}
