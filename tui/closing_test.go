package tui

import (
	"strings"
	"testing"
)

// The banner shows the closing message harness built, the same words as
// --ci: its first line stands for "reason · exit code", the rest follow.
func TestExitBannerShowsClosingHeadline(t *testing.T) {
	m := sized(80, 24)
	ev := failEvents("login failed")
	four := 4
	last := &ev[len(ev)-1]
	last.ExitCode = &four
	last.Message = "error (would be exit 1); expected success: exit 4\n1 expectation of x.expect.yaml not met: exit code 4"
	feed(m, ev...)
	view := m.View()
	checkScreen(t, view, 80, 24)
	text, _ := bannerText(view)
	text = strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"✘ error (would be exit 1); expected success: exit 4 · login failed", "1 expectation of x.expect.yaml not met: exit code 4"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(text, "error · exit") {
		t.Errorf("banner still shows the bare reason and code:\n%s", view)
	}
}
