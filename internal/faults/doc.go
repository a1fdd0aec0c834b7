// Package faults describes the failures the local emulators inject on demand and decides,
// deterministically from a seed, which requests, records and jobs they hit.
//
// A Spec is parsed from the one-line form the CLI takes with --faults, a comma list of
// name=value pairs (see Names). Fractions are between 0 and 1; event-delay is a Go duration;
// seed is an integer. The same Spec and the same keys always give the same decisions, so a
// failing test or demo can be replayed exactly.
//
// The package belongs to the emulators. It must not import the pipeline code the emulators check.
package faults
