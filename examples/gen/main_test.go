package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
)

// examplesDir is where the committed datasets live, seen from this package's folder.
const examplesDir = ".."

// TestCommittedFilesAreCurrent regenerates every dataset and compares it byte for byte with the
// committed file, so a template change cannot ship without its output.
func TestCommittedFilesAreCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := generate(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{claudeFile, novaFile, labelsFile, titanFile} {
		t.Run(name, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join(examplesDir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("examples/%s is not what the generator writes; run go run ./examples/gen from the repository root", name)
			}
		})
	}
}

// TestBodiesFitTheirModels sends every committed record's modelInput to the local fake of the
// model its profile names, which checks the family's request schema as Bedrock documents it.
func TestBodiesFitTheirModels(t *testing.T) {
	profiles := readProfiles(t)
	for _, tc := range []struct {
		file, profile string
		records       int
	}{
		{claudeFile, "claude", numTickets},
		{novaFile, "nova", numTickets},
		{titanFile, "titan-embed", numArticles},
	} {
		t.Run(tc.file, func(t *testing.T) {
			model := profiles[tc.profile].ModelID
			recs := readRecords(t, tc.file)
			if len(recs) != tc.records {
				t.Fatalf("%d records, want %d", len(recs), tc.records)
			}
			seen := map[string]bool{}
			for i, r := range recs {
				if r.RecordID == "" || seen[r.RecordID] {
					t.Fatalf("line %d: recordId %q empty or repeated", i+1, r.RecordID)
				}
				seen[r.RecordID] = true
				if _, err := fakemodel.Invoke(model, fakemodel.InvocationInvokeModel, r.ModelInput); err != nil {
					t.Fatalf("line %d (%s): %s refuses the body: %v", i+1, r.RecordID, model, err)
				}
			}
		})
	}
}

// TestProfiles checks examples/profiles.json parses as the CLI and CDK app parse it and names
// models the local emulators serve.
func TestProfiles(t *testing.T) {
	want := map[string]string{
		"claude":      "anthropic.claude-3-5-haiku-20241022-v1:0",
		"nova":        "amazon.nova-lite-v1:0",
		"titan-embed": "amazon.titan-embed-text-v2:0",
	}
	got := readProfiles(t)
	if len(got) != len(want) {
		t.Errorf("profiles %v, want %d", got.Names(), len(want))
	}
	for name, model := range want {
		if got[name].ModelID != model {
			t.Errorf("profile %s: modelId %q, want %q", name, got[name].ModelID, model)
		}
		if !fakemodel.Known(model) {
			t.Errorf("profile %s: model %s unknown to the emulators", name, model)
		}
	}
}

// TestTickets checks what the ticket datasets promise their users.
func TestTickets(t *testing.T) {
	tickets, err := makeTickets(newTicketRand(), numTickets)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	texts := map[string]bool{}
	for _, tk := range tickets {
		counts[tk.label]++
		if texts[tk.text] {
			t.Errorf("%s: text repeated: %q", tk.id, tk.text)
		}
		texts[tk.text] = true
		if !utf8.ValidString(tk.text) || strings.TrimSpace(tk.text) != tk.text {
			t.Errorf("%s: text not valid trimmed UTF-8: %q", tk.id, tk.text)
		}
	}
	for _, l := range ticketLabels {
		t.Run(l, func(t *testing.T) {
			if counts[l] != ticketCounts[l] {
				t.Errorf("%d tickets, want %d", counts[l], ticketCounts[l])
			}
			if !strings.Contains(ticketSystem, "\n"+l+": ") {
				t.Errorf("system prompt does not list the label")
			}
		})
	}
	slots := ticketSlots(newTicketRand(), numTickets)
	for _, f := range foreign {
		n := 0
		for _, s := range slots {
			if s == f {
				n++
			}
		}
		if n != 1 {
			t.Errorf("foreign ticket %q in %d slots, want 1", f.text, n)
		}
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		name, tmpl, want string
		err              error
	}{
		{"literal JSON stays", `sends {"status": "paid"} and {}`, `sends {"status": "paid"} and {}`, nil},
		{"kept value", "{first} and {first}", "Ana and Ana", nil},
		{"digit after key", "{n}0 units", "70 units", nil},
		{"typo", "order {ordr}", "", errUnknownKey},
		{"unclosed", "a {b", "a {b", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFiller(newTicketRand())
			f.first, f.vals["n"] = "Ana", "7"
			got, err := f.fill(tc.tmpl)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("fill(%q) = %q, %v; want %q, %v", tc.tmpl, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestEmailsAreASCII(t *testing.T) {
	for _, first := range firstNames {
		for _, last := range lastNames {
			f := newFiller(newTicketRand())
			f.first, f.last = first, last
			for range 8 {
				delete(f.vals, "email")
				e := f.mustFill("{email} {user}")
				for _, c := range e {
					if c >= utf8.RuneSelf {
						t.Fatalf("%s %s: %q is not ASCII", first, last, e)
					}
				}
			}
		}
	}
}

func readProfiles(t *testing.T) profile.Set {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(examplesDir, "profiles.json"))
	if err != nil {
		t.Fatal(err)
	}
	set, err := profile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

type rawRecord struct {
	RecordID   string          `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

func readRecords(t *testing.T, name string) []rawRecord {
	t.Helper()
	f, err := os.Open(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []rawRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		var r rawRecord
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%s line %d: %v", name, line, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}
