// Package s3store is the blob store over one S3 bucket: the same Put/Get/List method set as
// internal/dirstore, for the Lambdas and for `bbatch run` against the local S3 emulator or AWS.
//
// The aws-sdk-go-v2 S3 client sits behind API, which holds exactly the SDK methods this package
// and feature/s3/transfermanager call. Put reads the body's first bytes, up to the multipart
// threshold, into 1 MiB blocks kept for the next Puts (up to 32 MiB in the process): a body that
// ends before the threshold goes up as one PutObject with a CRC32 checksum, a longer one streams
// through the transfer manager as a multipart upload (parts uploaded concurrently, aborted on
// error). List pages through ListObjectsV2 with the
// SDK paginator until the last page. Get maps S3's NoSuchKey (and any other 404 except
// NoSuchBucket) to an error wrapping io/fs.ErrNotExist, so callers test one sentinel for both
// stores.
//
// The package translates SDK errors and adds the bucket and key; it does not retry beyond the
// SDK's own retryer and does not read configuration or credentials.
//
// AWS docs: S3 API Reference (PutObject, CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload, GetObject, ListObjectsV2) and the aws-sdk-go-v2
// feature/s3/transfermanager package documentation.
package s3store
