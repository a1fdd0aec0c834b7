// Package dataset reads a user's JSONL dataset: it validates every line, finds duplicate
// recordIds, and gives the accepted records with the pipeline's own ids.
//
// Reading is two passes over the same bytes. Scan validates (strict RFC 8259 JSON, valid UTF-8,
// a top-level object whose "modelInput" is an object and whose optional "recordId" is a string
// or a number; keys matched exactly, duplicate recordId/modelInput keys rejected) on all cores,
// and keeps an Index: counts, rejects, and about 11 bytes per record (a 64-bit recordId hash, the
// line gap and the modelInput length). Replay then reads the source again and hands over each
// accepted record without validating it a second time; a CRC-32C per 4 MiB block proves the
// bytes are the ones scanned. Two reads cost less than spooling a second copy to disk, and
// chunk planning needs the total before the first chunk is written.
//
// Stream is the one-read alternative for a caller that knows the line count already: it
// validates on all cores as Scan does and hands over each accepted record in line order at
// once, finding duplicates as it goes in a set of 64-bit recordId hashes (about 10 bytes a line,
// sized from the line count). The first line of a duplicated recordId is not kept; the caller,
// who saw every record, supplies it (RecordIDHash) for the rejects.
//
// Validation walks each line's JSON in Go. On amd64 processors with AVX2 (unless built with the
// purego tag) a block is also scanned in assembly, 16 KiB ahead of the walk: 64 bytes a step
// with AVX-512 (F and BW), 32 with AVX2 alone. Its UTF-8 is checked by Keiser and Lemire's
// lookup algorithm, and masks of its quotes, backslashes, control characters and escape
// characters let the walk take each string in one step (strMasks) and check each member value
// in one loop (valueMasked). From a line with bad UTF-8 on, and for a string or value the masks
// do not clear, lines are checked byte by byte, which gives the reason; FuzzCheckLinesSIMD holds
// both ways to the same verdicts and reasons.
//
// Rules the reference leaves open, decided here:
//   - Gzip is detected by its magic bytes; a UTF-8 BOM is dropped; CRLF line ends and lines of
//     spaces, tabs and CRs (blank, counted) are accepted.
//   - A numeric recordId is kept as written ("1e3" stays "1e3"). A missing one becomes
//     "line-<n>". An escaped string recordId is compared decoded ("\u0061" equals "a") but
//     stored as written. recordId null or of another type is a reject.
//   - Duplicates: the first line with a recordId wins, later ones are rejected with the line of
//     the first. The string "5", the number 5, and "line-5" beside a line 5 without recordId are
//     the same id. Only 64-bit hashes are kept: two different ids collide with probability about
//     n²/2^65 (3e-8 for a million records, 3e-4 for a hundred million); a collision rejects the
//     later record as a duplicate, visibly, in the rejects, never silently.
//   - Keys other than recordId and modelInput are allowed and not passed on to Bedrock.
//   - Rejects give the line, the user's recordId when the line got that far (clipped to 256
//     bytes), and a reason; never the line. Reasons for bad JSON give the 1-based byte offset.
//   - Pipeline ids (the recordId Bedrock sees) are base-36 of source<<40|line: at most 13
//     characters of [0-9a-z], stable across retry rounds.
//
// This package must not import AWS SDKs or any storage: it reads io.Readers. It implements
// the input format of https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html.
package dataset
