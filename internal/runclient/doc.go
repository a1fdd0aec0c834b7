// Package runclient reads and drives the runs of a deployed pipeline through the AWS SDK: it drops
// a dataset into the inbox as a user would, follows the run's execution, and reads its report and
// results. The deployment may be in AWS, in LocalStack, behind bbatch emulate --pipeline, or in
// this process (package pipeline): only the clients' endpoints differ.
package runclient
