// Package dirstore is the blob store over a local folder: the same Put/Get/List method set as
// internal/s3store, so the CLI and the tests run the pipeline against a directory instead of a
// bucket.
//
// Keys are slash-separated paths relative to the root (io/fs.ValidPath rules: no leading slash,
// no "." or ".." elements, no empty elements). Put is atomic: the body is written to a temporary
// file under <root>/.dirstore-tmp and renamed into place, so a reader never sees half an object.
// List follows S3 prefix semantics (a plain string prefix, not a folder), returns keys sorted by
// byte order like S3's ListObjectsV2, and never returns temporary files.
//
// A folder cannot hold both a file "a" and a file "a/b", while S3 can hold both keys; Put reports
// that clash as an error. The package must not import the AWS SDK.
package dirstore
