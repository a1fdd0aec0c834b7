// Command chunkeralone times the chunker Lambda alone on one file, as a local run would invoke
// it: it starts the local AWS of `bbatch run` (package emulate, its bucket kept in a temporary
// folder), uploads FILE into inbox/<profile>/ as the run's drop does, builds the request the
// state machine's Chunk state sends, and times one call of functions/chunker's Handler.Handle
// over the S3 store the pipeline gives it (pipeline.S3Client over loopback HTTP). Start-up
// and upload are not timed. It prints one line for scripts:
//
//	chunker-alone wall_s=1.234 chunks=2 records=100000 carried=0 rss_before_kb=41000 peak_rss_kb=98000
//
// wall_s is the Handle call alone; records counts what the chunker put in chunks or carried
// (rejected lines are in its log on stderr); peak_rss_kb is the process's getrusage maxrss after
// the call, rss_before_kb the same before it (emulator and upload).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/bedrock-batch/bedrock-batch/functions/chunker"
	"github.com/bedrock-batch/bedrock-batch/internal/emulate"
	"github.com/bedrock-batch/bedrock-batch/internal/layout"
	"github.com/bedrock-batch/bedrock-batch/internal/pipeline"
	"github.com/bedrock-batch/bedrock-batch/internal/profile"
	"github.com/bedrock-batch/bedrock-batch/internal/round"
	"github.com/bedrock-batch/bedrock-batch/internal/run"
	"github.com/bedrock-batch/bedrock-batch/internal/runclient"
	"github.com/bedrock-batch/bedrock-batch/internal/s3store"
)

func main() {
	fl := flag.NewFlagSet("chunkeralone", flag.ContinueOnError)
	name := fl.String("profile", "claude", "profile the request names (its limits decide the chunks)")
	profilesPath := fl.String("profiles", "", "JSON file of profiles by name, as bbatch run --profiles; default: the built-in limits")
	cpuProfile := fl.String("cpuprofile", "", "write a Go CPU profile of the timed call to this file")
	fl.Usage = func() {
		fmt.Fprintf(fl.Output(), "usage: chunkeralone [--profile NAME] [--profiles FILE] [--cpuprofile FILE] FILE\n\n"+
			"Times one call of the chunker Lambda's handler on FILE against the local S3 of bbatch run,\n"+
			"FILE uploaded beforehand as the run's drop does (not timed).\n\n")
		fl.PrintDefaults()
	}
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if fl.NArg() != 1 {
		fl.Usage()
		os.Exit(2)
	}
	if err := bench(context.Background(), fl.Arg(0), *name, *profilesPath, *cpuProfile); err != nil {
		fmt.Fprintln(os.Stderr, "chunkeralone:", err)
		os.Exit(1)
	}
}

// bench uploads path, times the chunker on it and prints the result line.
func bench(ctx context.Context, path, name, profilesPath, cpuProfile string) error {
	prof, err := loadProfile(name, profilesPath)
	if err != nil {
		return err
	}
	// bbatch run keeps the local bucket in a temporary folder; so does this.
	dir, err := os.MkdirTemp("", "chunkeralone-")
	if err != nil {
		return fmt.Errorf("make the bucket folder: %w", err)
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.DiscardHandler)
	emu, err := emulate.Start(emulate.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		return err
	}
	defer emu.Close()
	s3c := pipeline.S3Client(emu)
	store := s3store.New(s3c, emu.Bucket)

	// No bus rule is added, so the drop's S3 event starts nothing.
	runID, key, err := runclient.New(emu.Bucket, "", s3c, nil, nil).Drop(ctx, prof.Name, path)
	if err != nil {
		return fmt.Errorf("drop %s: %w", path, err)
	}
	size, etag, err := store.Stat(ctx, key)
	if err != nil {
		return fmt.Errorf("stat the dropped object: %w", err)
	}
	in := run.NewInput(emu.Bucket, prof, "", []layout.Source{{Key: key, ETag: etag, Size: size}})
	if in.RunID != runID {
		return fmt.Errorf("run id %s differs from the drop's %s", in.RunID, runID)
	}
	req := run.Request{RunID: in.RunID, Bucket: in.Bucket, Profile: in.Profile, Sources: in.Sources}
	h := &chunker.Handler{Store: store, Rounds: noCollection{}, Profiles: profile.Set{prof.Name: prof},
		Log: slog.New(slog.NewTextHandler(os.Stderr, nil))}

	var pf *os.File
	if cpuProfile != "" {
		if pf, err = os.Create(cpuProfile); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	before := maxRSS()
	start := time.Now()
	plan, err := h.Handle(ctx, req)
	wall := time.Since(start)
	peak := maxRSS()
	if pf != nil {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return fmt.Errorf("chunker: %w", err)
	}

	chunks, found, err := round.Manifest(ctx, store, runID, 1)
	if err != nil || !found {
		return fmt.Errorf("read round 1's manifest (found %t): %w", found, err)
	}
	var records int64
	for _, c := range chunks {
		records += c.Records
	}
	var carry round.Carry
	if _, err := round.ReadJSON(ctx, store, round.CarryKey(runID), &carry); err != nil {
		return fmt.Errorf("read round 1's carry: %w", err)
	}
	fmt.Printf("chunker-alone wall_s=%.3f chunks=%d records=%d carried=%d rss_before_kb=%d peak_rss_kb=%d\n",
		wall.Seconds(), plan.Chunks, records+carry.Records, carry.Records, before, peak)
	return nil
}

// loadProfile returns the profile named name: from the file at profilesPath when given, else
// with the built-in limits (bbatch run's built-in profiles set only the model, which the chunker
// does not read).
func loadProfile(name, profilesPath string) (profile.Profile, error) {
	if profilesPath == "" {
		return profile.Profile{Name: name}.Normalize(), nil
	}
	data, err := os.ReadFile(profilesPath)
	if err != nil {
		return profile.Profile{}, fmt.Errorf("--profiles: %w", err)
	}
	set, err := profile.Parse(data)
	if err != nil {
		return profile.Profile{}, fmt.Errorf("--profiles %s: %w", profilesPath, err)
	}
	p, ok := set[name]
	if !ok {
		return profile.Profile{}, fmt.Errorf("--profile %s: not in %s", name, profilesPath)
	}
	return p, nil
}

// noCollection stands for round 1's collection, which the chunker calls only when a file makes
// no chunk. That path plans on-demand work over the ledger and the Bedrock emulators, which this
// program does not start: it refuses such a file instead of timing something else.
type noCollection struct{}

func (noCollection) Collect(context.Context, run.Request) (run.Plan, error) {
	return run.Plan{}, errors.New("the file makes no chunk (fewer records than the profile's minRecords): this program times chunking, not round 1's collection")
}

// maxRSS is the process's peak resident set size so far in KB (Linux getrusage).
func maxRSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return ru.Maxrss
}
