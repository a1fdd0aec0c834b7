package layout

import (
	"regexp"
	"strings"
	"testing"
)

// Bedrock's patterns (reference §1.0).
var (
	bedrockJobName = regexp.MustCompile(`^[a-zA-Z0-9]{1,63}(-*[a-zA-Z0-9\+\-\.]){0,63}$`)
	bedrockS3URI   = regexp.MustCompile(`^s3://[a-z0-9][-.a-z0-9]{1,61}[a-z0-9](?:/[-!_*'().a-z0-9A-Z]+(?:/[-!_*'().a-z0-9A-Z]+)*)?/?$`)
)

func TestRunID(t *testing.T) {
	a := []Source{{Key: "inbox/claude/Tickets 2026_Q3=final.jsonl", ETag: `"abc"`}}
	tests := []struct {
		name    string
		bucket  string
		runName string
		sources []Source
		prefix  string
	}{
		{name: "file name slug", bucket: "b", sources: a, prefix: "tickets-2026-q3-final-"},
		{name: "named", bucket: "b", runName: "Nightly_Enrich", sources: a, prefix: "nightly-enrich-"},
		{name: "no readable part", bucket: "b", sources: []Source{{Key: "inbox/p/___.jsonl", ETag: "e"}}, prefix: "run-"},
		{name: "long name", bucket: "b", sources: []Source{{Key: "inbox/p/" + strings.Repeat("abcdefghij", 20) + ".jsonl.gz", ETag: "e"}}, prefix: "abcdefghijabcdefghijabcd-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := RunID(tt.bucket, tt.runName, tt.sources)
			if !strings.HasPrefix(id, tt.prefix) {
				t.Fatalf("RunID = %q, want prefix %q", id, tt.prefix)
			}
			if len(id) > 37 {
				t.Fatalf("RunID %q is %d chars, want at most 37", id, len(id))
			}
			name := JobName(id, 99, 99999, 9)
			if len(name) > MaxJobNameLen || !bedrockJobName.MatchString(name) {
				t.Fatalf("job name %q breaks Bedrock's pattern", name)
			}
			for _, key := range []string{SourcePrefix(id, 3) + "c00001/" + ChunkInputFile, ChunkPrefix(id, 3, 12) + ChunkOutputDir} {
				if uri := S3URI("my-bucket", key); !bedrockS3URI.MatchString(uri) {
					t.Fatalf("S3 URI %q breaks Bedrock's pattern", uri)
				}
			}
		})
	}
}

func TestRunIDDeterminism(t *testing.T) {
	x := []Source{{Key: "inbox/p/a.jsonl", ETag: "1"}, {Key: "inbox/p/b.jsonl", ETag: "2"}}
	y := []Source{x[1], x[0]}
	if RunID("b", "n", x) != RunID("b", "n", y) {
		t.Fatal("order of sources changed the run id")
	}
	if RunID("b", "", x[:1]) == RunID("b", "", []Source{{Key: "inbox/p/a.jsonl", ETag: "9"}}) {
		t.Fatal("new content (ETag) gave the same run id")
	}
	if RunID("b", "", x[:1]) == RunID("c", "", x[:1]) {
		t.Fatal("another bucket gave the same run id")
	}
	if RunID("b", "", []Source{{Key: "k", ETag: `"e"`}}) != RunID("b", "", []Source{{Key: "k", ETag: "e"}}) {
		t.Fatal("quotes around the ETag changed the run id")
	}
}

func TestJobNameRoundTrip(t *testing.T) {
	ref := JobRef{RunID: "tickets-0a1b2c3d4e5f", Round: 2, Chunk: 17, Attempt: 3}
	name := JobName(ref.RunID, ref.Round, ref.Chunk, ref.Attempt)
	if name != "tickets-0a1b2c3d4e5f-r2-c00017-a3" {
		t.Fatalf("JobName = %q", name)
	}
	got, ok := ParseJobName(name)
	if !ok || got != ref {
		t.Fatalf("ParseJobName(%q) = %+v, %v", name, got, ok)
	}
	for _, bad := range []string{"", "someone-elses-job", "x-r1-c1-a1", "X-r1-c00001-a1", "run-r-c00001-a1"} {
		if _, ok := ParseJobName(bad); ok {
			t.Errorf("ParseJobName(%q) accepted a name the pipeline never makes", bad)
		}
	}
}

func TestProfileOfInboxKey(t *testing.T) {
	tests := []struct {
		key     string
		profile string
		ok      bool
	}{
		{"inbox/claude/tickets.jsonl", "claude", true},
		{"inbox/claude/sub/tickets.jsonl", "claude", true},
		{"inbox/tickets.jsonl", "", false},
		{"inbox/claude/", "", false},
		{"inbox//x.jsonl", "", false},
		{"results/claude/x.jsonl", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			p, ok := ProfileOfInboxKey(tt.key)
			if p != tt.profile || ok != tt.ok {
				t.Fatalf("ProfileOfInboxKey(%q) = %q, %v; want %q, %v", tt.key, p, ok, tt.profile, tt.ok)
			}
		})
	}
}
