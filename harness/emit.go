package harness

import (
	"bufio"
	"os"
	"sync"
	"time"

	"connector-dev/harness/httprec"
)

// emitter is the one door every event of a run goes through: it stamps the
// time, scrubs secrets, appends the full log on disk and forwards to the
// sink. One mutex keeps the stream in a single order for every reader.
type emitter struct {
	mu       sync.Mutex
	sink     Sink
	scrub    *httprec.Scrubber
	logw     *bufio.Writer
	logf     *os.File
	minLevel int // Level.Rank of LOG_LEVEL: log lines below it reach the log file only
	clock    func() time.Time
}

// newScrubber replaces every secret, in every form httprec.SecretForms
// lists, with "[REDACTED]". Values shorter than httprec.MinSecretLen are
// left alone: they would redact ordinary words.
func newScrubber(secrets []string) *httprec.Scrubber {
	return httprec.NewScrubber(secrets, "[REDACTED]")
}

func (e *emitter) emit(ev Event) {
	ev.Time = e.clock()
	if ev.Message != "" {
		ev.Message = e.scrub.Replace(ev.Message)
	}
	if ev.Run != nil {
		r := scrubRunInfo(e.scrub, *ev.Run)
		ev.Run = &r
	}
	if ev.Trace != "" {
		ev.Trace = e.scrub.Replace(ev.Trace)
	}
	if ev.Batch != nil {
		b := *ev.Batch
		b.Key = e.scrub.Replace(b.Key)
		ev.Batch = &b
	}
	if len(ev.Summary) > 0 {
		sum := make([]StageReport, len(ev.Summary))
		for i, s := range ev.Summary {
			if s.Exit != nil {
				x := *s.Exit
				x.Message = e.scrub.Replace(x.Message)
				s.Exit = &x
			}
			sum[i] = s
		}
		ev.Summary = sum
	}
	if ev.Exit != nil {
		x := *ev.Exit
		x.Message = e.scrub.Replace(x.Message)
		ev.Exit = &x
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.logw != nil {
		e.logw.WriteString(FormatPlain(ev))
		e.logw.WriteByte('\n')
		// Straight to the file: a run killed with SIGKILL keeps every line.
		e.logw.Flush()
	}
	if ev.Kind == EventLog && ev.Level.Rank() < e.minLevel {
		return
	}
	if e.sink != nil {
		e.sink.Emit(ev)
	}
}

func (e *emitter) log(stage string, level Level, msg string) {
	e.emit(Event{Kind: EventLog, Stage: stage, Level: level, Message: msg})
}

func (e *emitter) close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.logw == nil {
		return nil
	}
	err := e.logw.Flush()
	if cerr := e.logf.Close(); err == nil {
		err = cerr
	}
	e.logw = nil
	return err
}

// scrubRunInfo scrubs the run header (a job name or an endpoint could hold
// a secret as well as any other text).
func scrubRunInfo(s *httprec.Scrubber, r RunInfo) RunInfo {
	for _, f := range []*string{&r.Job, &r.Container, &r.Version, &r.Endpoint, &r.Storage, &r.Bucket, &r.Prefix} {
		*f = s.Replace(*f)
	}
	return r
}
