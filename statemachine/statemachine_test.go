package statemachine

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/taskerr"
)

// errorNames collects every name used in ErrorEquals anywhere in the definition.
func errorNames(t *testing.T) map[string]bool {
	t.Helper()
	var doc any
	if err := json.Unmarshal(Definition, &doc); err != nil {
		t.Fatalf("definition is not JSON: %v", err)
	}
	names := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "ErrorEquals" {
					for _, n := range x.([]any) {
						names[n.(string)] = true
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return names
}

func TestErrorNamesMatchGo(t *testing.T) {
	used := errorNames(t)
	known := map[string]bool{}
	for _, n := range taskerr.Names {
		known[n] = true
		if !used[n] {
			t.Errorf("Go error type %s is returned by handlers but no Retry or Catch in the definition names it", n)
		}
	}
	for n := range used {
		if strings.HasPrefix(n, "States.") || strings.HasPrefix(n, "Lambda.") {
			continue
		}
		if !known[n] {
			t.Errorf("the definition matches %q, which is no Go error type in internal/taskerr", n)
		}
	}
}

func TestSubstitutionsAreExactlyThoseUsed(t *testing.T) {
	var used []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z0-9]+)\}`).FindAllStringSubmatch(string(Definition), -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			used = append(used, m[1])
		}
	}
	sort.Strings(used)
	want := append([]string(nil), Substitutions...)
	sort.Strings(want)
	if strings.Join(used, ",") != strings.Join(want, ",") {
		t.Fatalf("definition uses %v, Substitutions lists %v", used, want)
	}
}

// TestDefinitionPassesASLValidator runs the npm asl-validator that `npm ci` at the repository
// root installs. Without it the test skips locally, but never in CI.
func TestDefinitionPassesASLValidator(t *testing.T) {
	bin := filepath.Join("..", "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("asl-validator is not installed (run npm ci at the repository root): %v", err)
		}
		t.Skip("asl-validator not installed; run npm ci at the repository root")
	}
	out, err := exec.Command(bin, "--json-path", "pipeline.asl.json").CombinedOutput()
	if err != nil {
		t.Fatalf("asl-validator: %v\n%s", err, out)
	}
}
