package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChunkCommand chunks the same lines gzip-compressed (two passes: the plan of the exact
// record count) and plain (one pass: the chunks keep the line ranges of the balanced line
// split, so the rejects at the end make the last chunk smaller).
func TestChunkCommand(t *testing.T) {
	for _, tc := range []struct {
		name  string
		src   string
		first int64
	}{
		{name: "gzip", src: gzipFile(t, "tickets.jsonl.gz", records(300)+withRejects), first: 151},
		{name: "plain", src: writeFile(t, "tickets.jsonl", records(300)+withRejects), first: 153},
	} {
		t.Run(tc.name, func(t *testing.T) { testChunkCommand(t, tc.src, tc.first) })
	}
}

func testChunkCommand(t *testing.T, src string, first int64) {
	out := filepath.Join(t.TempDir(), "jobs")
	stdout, code, err := runCLI(t, "chunk", src, "--out", out, "--max-records", "200")
	if code != exitRejected || err == nil || !strings.Contains(err.Error(), "3 of 306 lines rejected") {
		t.Fatalf("exit %d err %v, want %d and the reject count; output:\n%s", code, err, exitRejected, stdout)
	}
	for _, s := range []string{"302 records, 1 blank, 3 rejected", "plan: 2 jobs", "wrote 2 job folders"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("output lacks %q:\n%s", s, stdout)
		}
	}
	var plan struct {
		Chunks []struct {
			Prefix  string `json:"prefix"`
			Records int64  `json:"records"`
		} `json:"chunks"`
	}
	body, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &plan); err != nil || len(plan.Chunks) != 2 || plan.Chunks[0].Records != first {
		t.Fatalf("plan.json %s: %v", body, err)
	}
	total := 0
	for _, c := range plan.Chunks {
		in, err := os.ReadFile(filepath.Join(out, c.Prefix, "input.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := os.ReadFile(filepath.Join(out, c.Prefix, "records.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(in), "\n")
		if int64(n) != c.Records || strings.Count(string(recs), "\n") != n {
			t.Errorf("%s: %d input lines, want %d and the same in records.jsonl", c.Prefix, n, c.Records)
		}
		total += n
	}
	if total != 302 {
		t.Errorf("%d records written, want 302", total)
	}
	rej, _ := os.ReadFile(filepath.Join(out, "rejected.jsonl"))
	if strings.Count(string(rej), "\n") != 3 {
		t.Errorf("rejected.jsonl:\n%s", rej)
	}

	_, code, err = runCLI(t, "chunk", src, "--out", out)
	if code != 1 || err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second chunk into the same folder: exit %d err %v, want 1 and not empty", code, err)
	}
	_, code, err = runCLI(t, "chunk", src)
	if code != 1 || err == nil || !strings.Contains(err.Error(), "out") {
		t.Errorf("chunk without --out: exit %d err %v", code, err)
	}
}

func TestChunkCommandClean(t *testing.T) {
	src := writeFile(t, "small.jsonl", records(20))
	out := filepath.Join(t.TempDir(), "jobs")
	stdout, code, err := runCLI(t, "chunk", src, "--out", out)
	if code != 0 || err != nil {
		t.Fatalf("exit %d err %v", code, err)
	}
	if !strings.Contains(stdout, "run on-demand") {
		t.Errorf("output:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "ondemand", "input.jsonl")); err != nil {
		t.Errorf("ondemand folder: %v", err)
	}
}

// TestChunkInterrupted: a chunk stopped by its context (Ctrl-C) leaves the output folder empty,
// so running it again into the same folder works.
func TestChunkInterrupted(t *testing.T) {
	src := writeFile(t, "tickets.jsonl", records(300))
	out := filepath.Join(t.TempDir(), "jobs")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := newRootCmd()
	root.SetOut(io.Discard)
	root.SetArgs([]string{"chunk", src, "--out", out})
	if err := root.ExecuteContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted chunk: %v, want context.Canceled", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Fatalf("interrupted chunk left %d entries in %s (first %s)", len(entries), out, entries[0].Name())
	}
	if _, code, err := runCLI(t, "chunk", src, "--out", out); code != 0 || err != nil {
		t.Fatalf("chunk again into the same folder: exit %d, %v", code, err)
	}
}
