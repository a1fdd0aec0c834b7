package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs bbatch in-process with args and returns stdout and the exit status main would use.
func runCLI(t *testing.T, args ...string) (string, int, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	code := 0
	if err != nil {
		code = exitCode(err)
	}
	return out.String(), code, err
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipFile(t *testing.T, name, body string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(body))
	zw.Close()
	return writeFile(t, name, buf.String())
}

func records(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(`{"recordId":"r` + commas(int64(i)) + `","modelInput":{"inputText":"hello"}}` + "\n")
	}
	return b.String()
}

const withRejects = `{"recordId":"a","modelInput":{"inputText":"ok"}}
{"recordId":"a","modelInput":{"inputText":"again"}}
{"recordId":"b","modelInput":"not an object"}

{"recordId":"c","modelInput":{"inputText":"ok"}
{"modelInput":{"inputText":"no id"}}
`

func TestValidateCommand(t *testing.T) {
	clean := writeFile(t, "clean.jsonl", records(250))
	bad := writeFile(t, "bad.jsonl", withRejects)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
		absent   []string
	}{
		{
			name:     "clean file plans jobs",
			args:     []string{"validate", clean, "--min-records", "100", "--max-records", "200"},
			contains: []string{"clean.jsonl: 250 lines: 250 records, 0 blank, 0 rejected", "plan: 2 jobs, 250 records", "c00000       125 records", "lines 126-250"},
		},
		{
			name:     "gzip is read by its magic bytes",
			args:     []string{"validate", gzipFile(t, "data.bin", records(150))},
			contains: []string{"150 records", "plan: 1 job, 150 records"},
		},
		{
			name: "rejects listed with line and reason, exit 2",
			args: []string{"validate", bad},
			code: exitRejected,
			contains: []string{
				"6 lines: 2 records, 1 blank, 3 rejected (1 duplicate recordId)",
				`line 2: duplicate recordId, first seen on line 1 (recordId "a")`,
				`line 3: modelInput is a string, expected an object (recordId "b")`,
				"line 5: invalid JSON at byte 48",
				"below the minimum of 100 per Bedrock job: they run on-demand",
			},
			absent: []string{"not an object"},
		},
		{
			name:     "--show limits the list",
			args:     []string{"validate", bad, "--show", "1"},
			code:     exitRejected,
			contains: []string{"line 2: duplicate", "... 2 more (--rejects FILE writes them all)"},
			absent:   []string{"line 3:"},
		},
		{
			name:     "missing file names it, exit 1",
			args:     []string{"validate", filepath.Join(t.TempDir(), "nope.jsonl")},
			code:     1,
			contains: []string{"nope.jsonl"},
		},
		{
			name:     "bad limits, exit 1",
			args:     []string{"validate", clean, "--min-records", "0"},
			code:     1,
			contains: []string{"min records 0"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, code, err := runCLI(t, tc.args...)
			if err != nil {
				out += err.Error()
			}
			if code != tc.code {
				t.Errorf("exit %d, want %d; output:\n%s", code, tc.code, out)
			}
			for _, s := range tc.contains {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(out, s) {
					t.Errorf("output has %q:\n%s", s, out)
				}
			}
		})
	}
}

func TestValidateRejectsFile(t *testing.T) {
	bad := writeFile(t, "bad.jsonl", withRejects)
	path := filepath.Join(t.TempDir(), "rejects.jsonl")
	out, code, _ := runCLI(t, "validate", bad, "--show", "0", "--rejects", path)
	if code != exitRejected || !strings.Contains(out, "all 3 rejects written to "+path) {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []int64
	for _, l := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		var rj struct {
			Line     int64  `json:"line"`
			RecordID string `json:"recordId"`
			Reason   string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(l), &rj); err != nil || rj.Reason == "" {
			t.Fatalf("reject line %q: %v", l, err)
		}
		lines = append(lines, rj.Line)
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 3 || lines[2] != 5 {
		t.Errorf("rejected lines %v, want [2 3 5]", lines)
	}
}
