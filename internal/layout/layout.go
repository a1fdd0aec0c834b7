package layout

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Prefixes at the top of the bucket.
const (
	InboxPrefix   = "inbox/"
	RunsPrefix    = "runs/"
	ResultsPrefix = "results/"
)

// Limits on identifiers.
const (
	maxRunIDName = 24 // characters of the readable part of a run id
	hashChars    = 12 // hex characters of the content hash in a run id
	// MaxJobNameLen is Bedrock's limit on jobName.
	MaxJobNameLen = 63
)

// Source is one input object of a run.
type Source struct {
	Key  string `json:"key"`
	ETag string `json:"etag"`
	Size int64  `json:"size,omitempty"`
}

// RunID returns the deterministic id of a run over the given objects in bucket: the same objects
// (same keys and ETags, in any order) always give the same id, so a duplicated S3 event or a
// re-upload of identical content starts no second run. The id is lowercase letters, digits and
// '-', at most 37 characters: a readable part from the first object's file name (or name, when
// not empty, for scheduled runs) and a hash of everything.
func RunID(bucket, name string, sources []Source) string {
	sorted := append([]Source(nil), sources...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Key < sorted[j].Key })
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", bucket, name)
	for _, s := range sorted {
		fmt.Fprintf(h, "%s\x00%s\x00", s.Key, strings.Trim(s.ETag, `"`))
	}
	if name == "" && len(sorted) > 0 {
		name = path.Base(sorted[0].Key)
		name = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".jsonl")
	}
	readable := slug(name, maxRunIDName)
	sum := hex.EncodeToString(h.Sum(nil))[:hashChars]
	if readable == "" {
		return "run-" + sum
	}
	return readable + "-" + sum
}

// slug lowercases s and keeps letters and digits, turning every other run of characters into one
// '-', trimmed to at most n characters with no leading or trailing '-'.
func slug(s string, n int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= n {
			break
		}
	}
	return strings.Trim(b.String()[:min(b.Len(), n)], "-")
}

// ProfileOfInboxKey returns the profile named by an inbox key "inbox/<profile>/<name>", and false
// for keys outside the inbox, directly under it, or naming a folder.
func ProfileOfInboxKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, InboxPrefix)
	if !ok {
		return "", false
	}
	profile, name, ok := strings.Cut(rest, "/")
	if !ok || profile == "" || name == "" || strings.HasSuffix(name, "/") {
		return "", false
	}
	return profile, true
}

// InboxKey returns the key a user drops a dataset named name at for profile.
func InboxKey(profile, name string) string { return InboxPrefix + profile + "/" + name }

// JobName returns the Bedrock job name of one attempt at one chunk. It doubles as the job's
// clientRequestToken, so a replayed submission can never create a second job.
func JobName(runID string, round, chunk, attempt int) string {
	return fmt.Sprintf("%s-r%d-c%05d-a%d", runID, round, chunk, attempt)
}

var jobNameRE = regexp.MustCompile(`^([a-z0-9-]+)-r([0-9]+)-c([0-9]{5,})-a([0-9]+)$`)

// JobRef identifies one attempt at one chunk of a run.
type JobRef struct {
	RunID   string
	Round   int
	Chunk   int
	Attempt int
}

// ParseJobName is the inverse of JobName. It reports false for names the pipeline did not make,
// such as jobs other tools run in the same account.
func ParseJobName(name string) (JobRef, bool) {
	m := jobNameRE.FindStringSubmatch(name)
	if m == nil {
		return JobRef{}, false
	}
	round, err1 := strconv.Atoi(m[2])
	chunk, err2 := strconv.Atoi(m[3])
	attempt, err3 := strconv.Atoi(m[4])
	if err1 != nil || err2 != nil || err3 != nil {
		return JobRef{}, false
	}
	return JobRef{RunID: m[1], Round: round, Chunk: chunk, Attempt: attempt}, true
}

// TakenKey marks an input object (by key and ETag) as taken by a run, so a scheduled run never
// takes an object twice.
func TakenKey(key, etag string) string {
	sum := sha256.Sum256([]byte(key + "\x00" + strings.Trim(etag, `"`)))
	return RunsPrefix + "taken/" + hex.EncodeToString(sum[:16]) + ".json"
}

// RunKey is the run's configuration and status document.
func RunKey(runID string) string { return RunsPrefix + runID + "/run.json" }

// RoundPrefix is the folder of one round.
func RoundPrefix(runID string, round int) string {
	return fmt.Sprintf("%s%s/r%d/", RunsPrefix, runID, round)
}

// RoundManifestKey holds the chunk list of a round that the Map state reads.
func RoundManifestKey(runID string, round int) string {
	return RoundPrefix(runID, round) + "chunks.json"
}

// TailKey holds the records of a round left for the on-demand tail.
func TailKey(runID string, round int) string { return RoundPrefix(runID, round) + "tail.jsonl" }

// TailResultKey holds what the on-demand tail answered and what it could not.
func TailResultKey(runID string, round int) string {
	return RoundPrefix(runID, round) + "tail-summary.json"
}

// SourcePrefix is where the chunker writes the chunks of source object i in round 1.
func SourcePrefix(runID string, i int) string {
	return fmt.Sprintf("%ss%d/", RoundPrefix(runID, 1), i)
}

// ChunkPrefix is the folder of chunk i of a retry round (round 2 and later); round 1's chunks
// sit under SourcePrefix, one folder per source object.
func ChunkPrefix(runID string, round, chunk int) string {
	return fmt.Sprintf("%sc%05d/", RoundPrefix(runID, round), chunk)
}

// Files of a chunk folder.
const (
	ChunkInputFile   = "input.jsonl"   // the Bedrock job's input, one line per record
	ChunkRecordsFile = "records.jsonl" // pipeline id -> the user's recordId, line, source
	ChunkOutputDir   = "out/"          // the job's outputDataConfig; Bedrock adds <jobId>/
	ChunkAnswersFile = "answers.jsonl" // reconciled answers, in the results' format
	ChunkPendingFile = "pending.jsonl" // records to try again
	ChunkFailedFile  = "failed.jsonl"  // records that failed for good
	ChunkSummaryFile = "summary.json"  // reconciled counts and tokens
)

// LedgerPrefix is the folder of a run's job ledger.
func LedgerPrefix(runID string) string { return RunsPrefix + runID + "/jobs/" }

// LedgerKey holds one job's ledger entry.
func LedgerKey(runID, jobName string) string { return LedgerPrefix(runID) + jobName + ".json" }

// ResultPrefix is the folder of a run's results.
func ResultPrefix(runID string) string { return ResultsPrefix + runID + "/" }

// PartKey is the n-th answers file of a run (n from 1).
func PartKey(runID string, n int) string {
	return fmt.Sprintf("%spart-%05d.jsonl", ResultPrefix(runID), n)
}

// FailedKey holds a run's permanent failures.
func FailedKey(runID string) string { return ResultPrefix(runID) + "failed.jsonl" }

// ResultRejectedKey is the copy of the validation rejects in the results.
func ResultRejectedKey(runID string) string { return ResultPrefix(runID) + "rejected.jsonl" }

// ReportJSONKey is the machine-readable run report.
func ReportJSONKey(runID string) string { return ResultPrefix(runID) + "report.json" }

// ReportMarkdownKey is the human-readable run report.
func ReportMarkdownKey(runID string) string { return ResultPrefix(runID) + "report.md" }

// S3URI returns "s3://bucket/key".
func S3URI(bucket, key string) string { return "s3://" + bucket + "/" + key }
