// Package httprec records a connector's HTTP traffic to a cassette and
// replays it, so a connector that speaks to a real API runs offline and in CI.
// It wraps go-vcr v4: what it adds is the scrubbing of credentials before a
// cassette is written, and a matcher that matches a live request (which
// carries real secrets) against the scrubbed cassette.
package httprec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"gopkg.in/dnaeon/go-vcr.v4/pkg/cassette"
	"gopkg.in/dnaeon/go-vcr.v4/pkg/recorder"
)

// Mode says where a connector's HTTP traffic goes.
type Mode int

// The three modes: Replay serves every request from the cassette and never
// touches the network; Record sends requests to the network and saves them
// on Stop; Live sends them to the network and keeps nothing.
const (
	Replay Mode = iota
	Record
	Live
)

var modeNames = [...]string{Replay: "replay", Record: "record", Live: "live"}

// String is the mode's flag word: replay, record or live.
func (m Mode) String() string {
	if m >= 0 && int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// ParseMode reads a mode word (case and surrounding space ignored).
func ParseMode(s string) (Mode, error) {
	w := strings.ToLower(strings.TrimSpace(s))
	for m, name := range modeNames {
		if w == name {
			return Mode(m), nil
		}
	}
	return 0, fmt.Errorf("HTTP mode %q is not known: use replay, record or live", s)
}

// MissError is what a replayed request gets when the cassette holds no
// unused interaction matching it: the connector sends something it did not
// send when the cassette was recorded.
type MissError struct {
	Method   string
	URL      string // scrubbed of secrets
	Cassette string
	// Empty is set when the cassette holds no interaction at all: nothing
	// changed in the connector, the cassette itself is hollow.
	Empty bool
}

func (e *MissError) Error() string {
	if e.Empty {
		return fmt.Sprintf("no recorded response for %s %s: cassette %s is empty (it holds no interaction); restore it (git checkout -- %s) or re-record it with --record against the real service",
			e.Method, e.URL, e.Cassette, e.Cassette)
	}
	return fmt.Sprintf("no recorded response for %s %s in %s: the connector's requests changed since it was recorded; re-record it with --record",
		e.Method, e.URL, e.Cassette)
}

// Recorder hands out the HTTP client a connector uses and, in Record mode,
// writes the scrubbed cassette on Stop.
type Recorder struct {
	mode   Mode
	path   string
	vcr    *recorder.Recorder // nil in Live mode
	client *http.Client
	scrub  *scrubber
	// partial is where a recording is written before Stop moves it to path.
	partial string
	// used is set by the first request: a recording of none is not kept.
	used atomic.Bool
	// empty is set in Replay mode when the cassette holds no interaction.
	empty bool

	stopOnce sync.Once
	stopErr  error
	saved    Saved
}

// New returns a recorder for the cassette at cassettePath (the file name,
// with its .yaml extension). secrets are the credential values to scrub from
// the cassette besides the well-known token fields; base carries live
// traffic (nil: http.DefaultTransport).
//
// Replay needs the cassette to exist; Record replaces it on Stop or Finish
// (only with a recording of at least one interaction).
func New(mode Mode, cassettePath string, secrets []string, base http.RoundTripper) (*Recorder, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	r := &Recorder{mode: mode, path: cassettePath, scrub: newScrubber(secrets)}
	if mode == Live {
		r.client = &http.Client{Transport: base}
		return r, nil
	}
	if mode != Replay && mode != Record {
		return nil, fmt.Errorf("httprec: unknown mode %d", int(mode))
	}
	if !strings.HasSuffix(cassettePath, ".yaml") {
		return nil, fmt.Errorf("cassette %s: the file name must end in .yaml", cassettePath)
	}
	// go-vcr appends ".yaml" to the name it is given. A recording goes to
	// a partial file first: the cassette it replaces is only swapped out
	// by Stop, never by a run that was stopped (Discard).
	name := strings.TrimSuffix(cassettePath, ".yaml")
	if mode == Record {
		name += ".partial"
		r.partial = name + ".yaml"
	}
	opts := []recorder.Option{
		recorder.WithRealTransport(base),
		recorder.WithMatcher(r.match),
		// Interactions replay once each, in order, so a request that got a
		// 503 and then a 200 gets them again in that order.
		recorder.WithReplayableInteractions(false),
		recorder.WithSkipRequestLatency(true),
		// The scrubbing happens before save and not after capture: during
		// recording the connector must get the real tokens back.
		recorder.WithHook(r.scrub.interaction, recorder.BeforeSaveHook),
	}
	if mode == Replay {
		opts = append(opts, recorder.WithMode(recorder.ModeReplayOnly))
	} else {
		opts = append(opts, recorder.WithMode(recorder.ModeRecordOnly))
	}
	vcr, err := recorder.New(name, opts...)
	if err != nil {
		if errors.Is(err, cassette.ErrCassetteNotFound) {
			return nil, fmt.Errorf("cassette %s does not exist: record one with --record (and real credentials), or use --live", cassettePath)
		}
		return nil, fmt.Errorf("load cassette %s: %w (re-record it with --record)", cassettePath, err)
	}
	if mode == Replay {
		if c, err := cassette.Load(name); err == nil && len(c.Interactions) == 0 {
			r.empty = true
		}
	}
	r.vcr = vcr
	r.client = &http.Client{Transport: &transport{r: r}}
	return r, nil
}

// Mode is the mode the recorder was made with.
func (r *Recorder) Mode() Mode { return r.mode }

// Client is the HTTP client to hand the connector.
func (r *Recorder) Client() *http.Client { return r.client }

// Stop ends the recording: in Record mode it scrubs the recording and
// writes it over the cassette, unless the connector made no request or no
// request got an answer (a recording of nothing never replaces a cassette;
// it is written beside it, see Finish). It is safe to call more than once.
func (r *Recorder) Stop() error {
	_, err := r.Finish(true)
	return err
}

// Discard ends the recording without touching the cassette: for a run
// that was stopped (timeout, Ctrl-C), whose traffic is not a story to keep.
// In Replay and Live mode it is Stop.
func (r *Recorder) Discard() error {
	r.stop(func(int) string { return "" })
	return r.stopErr
}

// Saved says what Finish did with a recording.
type Saved struct {
	// Path is the file the recording was written to: the cassette itself
	// when Replaced, else Beside(cassette); "" when nothing was written
	// (the connector made no request, or not in Record mode).
	Path string
	// Interactions is how many request/response pairs it holds.
	Interactions int
	// Replaced is set when the recording took the cassette's place.
	Replaced bool
}

// Finish ends a recording. In Record mode the recording replaces the
// cassette when replace is set and it holds at least one interaction;
// otherwise it is written beside the cassette (Beside), which stays as it
// was, so that a failed or offline recording never destroys a good one.
// A connector that made no request leaves no file. Safe to call more than
// once: only the first call decides.
func (r *Recorder) Finish(replace bool) (Saved, error) {
	r.stop(func(n int) string {
		if replace && n > 0 {
			r.saved.Replaced = true
			return r.path
		}
		return Beside(r.path)
	})
	return r.saved, r.stopErr
}

// Beside is where a recording that does not replace the cassette at path
// goes: x.cassette.yaml becomes x.cassette.new.yaml.
func Beside(path string) string {
	return strings.TrimSuffix(path, ".yaml") + ".new.yaml"
}

// stop ends go-vcr's recorder; in Record mode dest, given the number of
// interactions recorded, says where the recording goes ("" drops it).
func (r *Recorder) stop(dest func(interactions int) string) {
	r.stopOnce.Do(func() {
		if r.vcr == nil {
			return
		}
		if err := r.vcr.Stop(); err != nil {
			r.stopErr = fmt.Errorf("write cassette %s: %w", r.path, err)
		}
		if r.partial == "" {
			return
		}
		if r.stopErr != nil || !r.used.Load() {
			os.Remove(r.partial)
			return
		}
		n := 0
		if c, err := cassette.Load(strings.TrimSuffix(r.partial, ".yaml")); err == nil {
			n = len(c.Interactions)
		}
		to := dest(n)
		if to == "" {
			os.Remove(r.partial)
			return
		}
		if err := os.Rename(r.partial, to); err != nil {
			r.stopErr = fmt.Errorf("write cassette %s: %w", to, err)
			r.saved.Replaced = false
			return
		}
		r.saved.Path, r.saved.Interactions = to, n
	})
}

// transport turns go-vcr's bare "not found" into a MissError naming the
// request and the cassette.
type transport struct{ r *Recorder }

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.r.used.Store(true)
	resp, err := t.r.vcr.RoundTrip(req)
	if errors.Is(err, cassette.ErrInteractionNotFound) {
		return nil, &MissError{Method: req.Method, URL: t.r.scrub.url(req.URL.String()), Cassette: t.r.path, Empty: t.r.empty}
	}
	return resp, err
}

// match compares method, URL and body once both sides are scrubbed, so the
// secrets of the live request (which differ from the recorded ones, or are
// empty) play no part. Headers are ignored: they carry the access token.
func (r *Recorder) match(req *http.Request, rec cassette.Request) bool {
	if req.Method != rec.Method {
		return false
	}
	if r.scrub.url(req.URL.String()) != r.scrub.url(rec.URL) {
		return false
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return false
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	live := r.scrub.body(string(body), req.Header.Get("Content-Type"))
	return live == r.scrub.body(rec.Body, rec.Headers.Get("Content-Type"))
}
