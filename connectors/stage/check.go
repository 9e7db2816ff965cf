package stage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"connector-dev/connectors"
)

// CheckTimeout bounds one connector's Check: it validates, it does not
// connect, so anything longer is a bug.
const CheckTimeout = 10 * time.Second

// RunCheck calls a connector's own Check (connectors.Checker) with a
// deadline, as `check` and `run` do before any stage. nil when it passed;
// else the one line the user sees (whitespace folded, a panic named), for
// the runtime to report as reason setup.
func RunCheck(ctx context.Context, c connectors.Checker, rt connectors.CheckRuntime) (err error) {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("its Check panicked: %v", v)
		}
	}()
	if err := c.Check(ctx, rt); err != nil {
		return fmt.Errorf("%s", strings.Join(strings.Fields(err.Error()), " "))
	}
	return nil
}
