package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/bedrock-batch/bedrock-batch/internal/settings"
)

// Function describes one of the pipeline's Lambdas: its source package, its construct id, its
// sizing, and the settings it reads (which the stack sets, and nothing else).
type Function struct {
	Name     string        // functions/<Name>/lambda is its main package
	ID       string        // construct id
	MemoryMB int           // memory; CPU scales with it
	Timeout  time.Duration // invocation timeout
	Env      []string      // settings.Env* names it reads; settings.EnvKMSKeyID only when a key is configured
}

// Functions are the pipeline's Lambdas. Chunker and reconciler stream whole datasets and job
// outputs, so they get Lambda's longest timeout and a full vCPU; the others make a few API calls.
var Functions = []Function{
	{Name: "intake", ID: "Intake", MemoryMB: 256, Timeout: time.Minute,
		Env: []string{settings.EnvBucket, settings.EnvStateMachineARN, settings.EnvProfiles}},
	{Name: "chunker", ID: "Chunker", MemoryMB: 1769, Timeout: 15 * time.Minute,
		Env: []string{settings.EnvBucket, settings.EnvProfiles}},
	{Name: "submitter", ID: "Submitter", MemoryMB: 256, Timeout: time.Minute,
		Env: []string{settings.EnvBucket, settings.EnvProfiles, settings.EnvBedrockRoleARN, settings.EnvKMSKeyID}},
	{Name: "jobevents", ID: "JobEvents", MemoryMB: 256, Timeout: 30 * time.Second,
		Env: []string{settings.EnvBucket}},
	{Name: "reconciler", ID: "Reconciler", MemoryMB: 1769, Timeout: 15 * time.Minute,
		Env: []string{settings.EnvBucket, settings.EnvProfiles, settings.EnvEventBusName}},
}

// BuildFunctions compiles every function of fns from the module at root into outDir/<name>/bootstrap
// for the provided.al2023 runtime on arm64, with no cgo and no RPC shim, so neither Docker nor
// the deprecated go1.x runtime is needed. It returns the asset folder of each function by name.
// Builds are reproducible (-trimpath), so unchanged code gives an unchanged asset hash and
// `cdk diff` stays quiet.
func BuildFunctions(root, outDir string, fns []Function) (map[string]string, error) {
	dirs := map[string]string{}
	for _, fn := range fns {
		dir := filepath.Join(outDir, fn.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("build %s: %w", fn.Name, err)
		}
		pkg := "./functions/" + fn.Name + "/lambda"
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "bootstrap"), pkg)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build %s: %w: %s", pkg, err, strings.TrimSpace(stderr.String()))
		}
		dirs[fn.Name] = dir
	}
	return dirs, nil
}
