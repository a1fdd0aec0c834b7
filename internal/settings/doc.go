// Package settings names the environment variables the Lambdas read and reads them. The names are
// constants here so the CDK app sets exactly what the functions read; each function declares the
// keys it needs and gets every missing or bad one reported in a single error.
package settings
