// Package s3emu is the local Amazon S3: gofakes3 behind real HTTP, path-style, in memory
// (gofakes3's s3mem backend) or on a folder (FolderBackend, whose listing pages like S3's).
//
// On top of gofakes3 it adds what the pipeline relies on from S3 and gofakes3 lacks: the
// EventBridge "Object Created" event after each successful PutObject, CopyObject and
// CompleteMultipartUpload, handed as full EventBridge envelope JSON to a callback; and the
// s3-5xx fault of internal/faults, which answers a fraction of requests with 500 InternalError or
// 503 SlowDown in S3's XML error format, decided by seed per request. The folder backend also
// implements gofakes3's MultipartBackend, so large uploads stream to disk instead of gofakes3
// holding every part in memory.
//
// It must not import pipeline code (dataset, chunk, reconcile, model, pricing, stores).
//
// Implements against: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
// (event shape), https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html (error
// format) and https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (paging).
package s3emu
