package fakemodel

import (
	"strings"
	"testing"
)

// snippet must equal the plain definition it replaces, for any text.
func FuzzSnippet(f *testing.F) {
	for _, s := range []string{"", "  a  b\tc\n", strings.Repeat("word ", 100), "é  ü\u00a0x", "\u2003lead", "trail  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := firstRunes(strings.Join(strings.Fields(s), " "), echoRunes)
		if got := snippet(s); got != want {
			t.Fatalf("snippet(%q) = %q, want %q", s, got, want)
		}
	})
}
