package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/spf13/cobra"
)

// exitError carries the process exit status a command wants, for scripts that branch on it.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// profileFile is the --cpuprofile file while the profile runs.
var profileFile *os.File

// stopProfile ends a --cpuprofile profile, whatever the command's outcome.
func stopProfile() {
	if profileFile == nil {
		return
	}
	pprof.StopCPUProfile()
	if err := profileFile.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "bbatch: cpu profile:", err)
	}
	profileFile = nil
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "bbatch",
		Short: "Run bulk LLM work on Amazon Bedrock batch inference, at the batch price, with nothing lost",
		Long: `bbatch turns a JSONL file of Bedrock model requests into answered records at the batch price.

It validates every line, splits the dataset into jobs that fit Bedrock's quotas, submits them
without duplicates, waits, joins the outputs back by recordId, retries what failed, finishes
small tails on-demand and reports tokens and cost. Everything also runs locally against
emulators, with no AWS account.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a Go CPU profile of the command to this file (for performance reports)")
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		profileFile = f
		return pprof.StartCPUProfile(f)
	}
	root.AddCommand(newEmulateCmd())
	root.AddCommand(newValidateCmd())
	root.AddCommand(newChunkCmd())
	root.AddCommand(newEstimateCmd())
	root.AddCommand(newRunCmd())
	root.AddCommand(newStatusCmd())
	root.AddCommand(newResultsCmd())
	root.AddCommand(newCancelCmd())
	return root
}
