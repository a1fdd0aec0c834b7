// Package layout names everything the pipeline keeps in its bucket and every identifier it makes:
// run ids, Bedrock job names and the S3 keys of DESIGN.md §3. It is the one place those strings
// are built, so the Lambdas, the CLI and the tests cannot drift apart.
//
// Run ids and job names satisfy Bedrock's patterns (reference §1.0): job names are letters, digits
// and '-', at most 63 characters; keys use only characters Bedrock's s3Uri pattern accepts, so an
// S3 URI built from them never fails validation. The package does no I/O.
package layout
