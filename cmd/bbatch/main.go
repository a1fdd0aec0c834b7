// Command bbatch runs bulk model work on Amazon Bedrock batch inference: it validates and splits
// datasets, estimates cost, emulates Bedrock locally and runs the whole pipeline.
package main

import (
	"fmt"
	"os"
)

func main() {
	err := newRootCmd().Execute()
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bbatch:", err)
		os.Exit(exitCode(err))
	}
}
