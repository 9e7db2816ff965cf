package connectortest_test

import (
	"context"
	"errors"
	"testing"

	"connector-dev/connectors"
	"connector-dev/connectors/connectortest"
)

// checking is a source with a Check that reports what it could reach.
type checking struct {
	fn func(rt connectors.CheckRuntime) error
}

func (checking) Run(ctx context.Context, rt connectors.Runtime) error { return nil }

func (c checking) Check(ctx context.Context, rt connectors.CheckRuntime) error { return c.fn(rt) }

type plain struct{}

func (plain) Run(ctx context.Context, rt connectors.Runtime) error { return nil }

func TestRunCheck(t *testing.T) {
	rt := connectortest.New(&connectors.JobDetails{ETLJobNM: "j", SourceObjectID: "obj"})
	rt.EnvVars["MY_SETTING"] = "7"
	rt.Creds["token"] = "t0k3n"
	if reason, msg := rt.RunCheck(context.Background(), plain{}); reason != connectors.Success || msg != "" {
		t.Errorf("a connector without Check: %s %q", reason, msg)
	}
	var saw []string
	reason, msg := rt.RunCheck(context.Background(), checking{func(rt connectors.CheckRuntime) error {
		saw = append(saw, rt.Env("MY_SETTING"), rt.Credentials()["token"], rt.Job().SourceObjectID)
		if _, ok := rt.(connectors.Runtime); ok {
			return errors.New("the check runtime can upload")
		}
		return nil
	}})
	if reason != connectors.Success || len(saw) != 3 || saw[0] != "7" || saw[1] != "t0k3n" || saw[2] != "obj" {
		t.Errorf("got %s %q, saw %q", reason, msg, saw)
	}
	reason, msg = rt.RunCheck(context.Background(), checking{func(connectors.CheckRuntime) error {
		return errors.New(`MY_SETTING="7" is too many: set it to at most 5`)
	}})
	if reason != connectors.Setup || msg != `MY_SETTING="7" is too many: set it to at most 5` {
		t.Errorf("failing check: %s %q", reason, msg)
	}
	reason, msg = rt.RunCheck(context.Background(), checking{func(connectors.CheckRuntime) error { panic("boom") }})
	if reason != connectors.Setup || msg != "its Check panicked: boom" {
		t.Errorf("panicking check: %s %q", reason, msg)
	}
	if rt.Exit() != nil || len(rt.Logs()) != 0 {
		t.Errorf("a check recorded an ending or logged: %v %v", rt.Exit(), rt.Logs())
	}
}
