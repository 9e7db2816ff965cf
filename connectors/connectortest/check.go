package connectortest

import (
	"context"

	"connector-dev/connectors"
	"connector-dev/connectors/stage"
)

// checkView is what RunCheck hands a connector's Check: the runtime's
// settings, credentials and job, and nothing that moves data, as in the
// harness (a Check cannot type-assert its way to UploadRows).
type checkView struct{ r *Runtime }

func (v checkView) Env(name string) string         { return v.r.Env(name) }
func (v checkView) Credentials() map[string]string { return v.r.Credentials() }
func (v checkView) Job() *connectors.JobDetails    { return v.r.Job() }

// RunCheck runs connector's own check (connectors.Checker) over EnvVars,
// Creds and JobDetails, as connector-dev check and run do before any stage:
// Success when the connector has no Check or it passed, else Setup and the
// message the user would see. A panic in Check is Setup too, with its
// value, as the harness reports it. Nothing is logged or recorded in Exit.
func (r *Runtime) RunCheck(ctx context.Context, connector any) (reason connectors.ExitReason, msg string) {
	c, ok := connector.(connectors.Checker)
	if !ok {
		return connectors.Success, ""
	}
	if err := stage.RunCheck(ctx, c, checkView{r}); err != nil {
		return connectors.Setup, err.Error()
	}
	return connectors.Success, ""
}
