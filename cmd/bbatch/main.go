// Command bbatch runs bulk model work on Amazon Bedrock batch inference: it validates and splits
// datasets, estimates cost, emulates Bedrock locally and runs the whole pipeline.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// exitInterrupted is the exit status after Ctrl-C or SIGTERM, as shells report it for SIGINT.
const exitInterrupted = 130

func main() {
	// Ctrl-C cancels the command's context, so it stops the way it stops on any error: chunk
	// removes its unfinished folder, run and emulate shut their servers down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	interrupted := ctx.Err() != nil
	stop()
	stopProfile()
	switch {
	case err != nil && interrupted:
		fmt.Fprintln(os.Stderr, "bbatch: interrupted:", err)
		os.Exit(exitInterrupted)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bbatch:", err)
		os.Exit(exitCode(err))
	}
}
