package bedrockemu

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
)

// result is one answered record: where its record is, the value of its output line's
// modelOutput (ok) or error member, and what it counts for. The line itself is built only when
// the output object is written.
type result struct {
	file, index               int32 // the record is j.files[file].records[index]
	ok                        bool
	value                     []byte
	inputTokens, outputTokens int64
}

// Record-level error lines injected by the record-* faults (errorCode is a number, reference §2.3).
var retryableErrors = []struct {
	code    int
	message string
}{
	{http.StatusTooManyRequests, "Too many requests, please wait before trying again."},
	{http.StatusInternalServerError, "The system encountered an unexpected error during processing. Try your request again."},
	{http.StatusRequestTimeout, "Model has timed out in processing the request. Try your request again."},
}

const permanentErrorMessage = "Input is too long for requested model."

// Job failure messages (Get's message and the event's failureMessage).
const midRunFailureMessage = "The batch inference job failed due to an internal error while processing records. Partial results were written to the output location. Submit a new job to process the remaining records."

func accessDeniedMessage(j *job) string {
	return fmt.Sprintf("Amazon Bedrock could not validate GetObject permissions on %s. Check that the service role %s has s3:GetObject, s3:ListBucket and s3:PutObject permissions on the input and output locations.", j.spec.Input.S3InputDataConfig.S3URI, j.spec.RoleARN)
}

func expiredMessage(j *job) string {
	return fmt.Sprintf("The job did not start before its timeout of %d hours and expired. Submit a new job.", j.spec.TimeoutHours)
}

// answer produces the output of one record: an injected fault, the model's error, or the
// model's output.
func (e *Emulator) answer(j *job, file, index int) result {
	r := &j.files[file].records[index]
	f := e.cfg.Faults
	name := j.spec.Name
	res := result{file: int32(file), index: int32(index)}
	var id string
	if f.RecordPermanent > 0 || f.RecordRetryable > 0 {
		id = r.recordID()
	}
	switch {
	case f.Hit(f.RecordPermanent, "record-permanent", name, id):
		res.value = errorValue(http.StatusBadRequest, permanentErrorMessage)
	case f.Hit(f.RecordRetryable, "record-retryable", name, id):
		pick := retryableErrors[int(f.Roll("record-retryable-code", name, id)*float64(len(retryableErrors)))]
		res.value = errorValue(pick.code, pick.message)
	default:
		out, err := e.cfg.Invoke(j.spec.ModelID, j.spec.InvocationType, r.modelInput)
		if err != nil {
			var me *fakemodel.Error
			if errors.As(err, &me) {
				res.value = errorValue(me.Status, me.Message)
			} else {
				res.value = errorValue(http.StatusInternalServerError, "The system encountered an unexpected error during processing. Try your request again.")
			}
			return res
		}
		valid, compact := jsonScan(out)
		if !valid {
			res.value = errorValue(http.StatusInternalServerError, "The model returned a response that is not valid JSON.")
			return res
		}
		if !compact {
			out = compactJSON(out)
		}
		res.ok = true
		res.inputTokens, res.outputTokens = usage(out)
		res.value = out
	}
	return res
}

// Output line members, in the order of reference §2.3.
const (
	lineStart       = `{"recordId":`
	lineModelInput  = `,"modelInput":`
	lineModelOutput = `,"modelOutput":`
	lineError       = `,"error":`
	lineEnd         = "}\n"
)

// outputKey is the member that holds the result's value.
func (r *result) outputKey() string {
	if r.ok {
		return lineModelOutput
	}
	return lineError
}

// appendLine appends the output line of a record: {"recordId":…,"modelInput":…,<key>:value}
// and a newline. key is lineModelOutput or lineError.
func appendLine(b []byte, r *record, key string, value []byte) []byte {
	b = append(b, lineStart...)
	b = append(b, r.id...)
	b = append(b, lineModelInput...)
	b = append(b, r.modelInput...)
	b = append(b, key...)
	b = append(b, value...)
	return append(b, lineEnd...)
}

// lineLen is len(appendLine(nil, r, key, value)).
func lineLen(r *record, key string, value []byte) int {
	return len(lineStart) + len(r.id) + len(lineModelInput) + len(r.modelInput) + len(key) + len(value) + len(lineEnd)
}

// errorValue is the error member of an error line; errorCode is a number (reference §2.3).
func errorValue(code int, message string) []byte {
	v, _ := json.Marshal(struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	}{code, message})
	return v
}

// usage reads the token counts of a model output body, whichever family's fields it carries.
// Bodies without usage (Mistral, Cohere Embed) count zero. body is valid compact JSON. The
// common shapes are read by a walk over the members; any other shape is decoded by usageSlow.
func usage(body []byte) (in, out int64) {
	if in, out, ok := usageFast(body); ok {
		return in, out
	}
	return usageSlow(body)
}

// usageFast reads the counts of a body whose count fields are plain integers or null, named in
// ASCII without escapes, each at most once, with no Titan results array; ok is false for any
// other body. For those it answers what usageSlow answers.
func usageFast(body []byte) (in, out int64, ok bool) {
	var (
		hasUsage                    bool
		usageIn, usageOut, top, gen int64
		seenTop                     [4]bool
	)
	ok = walkMembers(body, func(key string, v []byte) bool {
		switch {
		case strings.EqualFold(key, "usage"):
			if seenTop[0] {
				return false
			}
			seenTop[0] = true
			if string(v) == "null" {
				return true
			}
			hasUsage = true
			var seen [4]bool
			return walkMembers(v, func(key string, v []byte) bool {
				slot := -1
				for i, name := range [...]string{"input_tokens", "output_tokens", "inputTokens", "outputTokens"} {
					if strings.EqualFold(key, name) {
						slot = i
					}
				}
				if slot < 0 {
					return true
				}
				n, ok := jsonInt(v)
				if !ok || seen[slot] {
					return false
				}
				seen[slot] = true
				if slot%2 == 0 {
					usageIn += n
				} else {
					usageOut += n
				}
				return true
			})
		case strings.EqualFold(key, "results"):
			return false
		}
		for i, name := range [...]string{"inputTextTokenCount", "prompt_token_count", "generation_token_count"} {
			if !strings.EqualFold(key, name) {
				continue
			}
			n, ok := jsonInt(v)
			if !ok || seenTop[i+1] {
				return false
			}
			seenTop[i+1] = true
			if i < 2 {
				top += n
			} else {
				gen += n
			}
		}
		return true
	})
	switch {
	case !ok:
		return 0, 0, false
	case hasUsage:
		return usageIn, usageOut, true
	}
	return top, gen, true
}

// walkMembers calls member for each member of the JSON object in valid JSON b, in order, until
// it returns false. It returns false when b is not an object, when a key is not plain ASCII
// without escapes, or when member returned false.
func walkMembers(b []byte, member func(key string, value []byte) bool) bool {
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	i := skipJSONSpace(b, 1)
	for b[i] != '}' {
		kEnd := stringEnd(b, i)
		k := b[i+1 : kEnd-1]
		for _, c := range k {
			if c >= utf8.RuneSelf || c == '\\' {
				return false
			}
		}
		i = skipJSONSpace(b, skipJSONSpace(b, kEnd)+1)
		vEnd, _ := valueEnd(b, i)
		if !member(string(k), b[i:vEnd]) {
			return false
		}
		i = skipJSONSpace(b, vEnd)
		if b[i] == ',' {
			i = skipJSONSpace(b, i+1)
		}
	}
	return true
}

// jsonInt reads a JSON integer that fits int64, or null as 0.
func jsonInt(v []byte) (int64, bool) {
	if string(v) == "null" {
		return 0, true
	}
	if bytes.ContainsAny(v, ".eE") {
		return 0, false
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	return n, err == nil
}

// usageSlow is usage by a typed decode; it defines what usage answers.
func usageSlow(body []byte) (in, out int64) {
	var u struct {
		Usage *struct {
			InputTokens  *int64 `json:"input_tokens"`
			OutputTokens *int64 `json:"output_tokens"`
			InTokens     *int64 `json:"inputTokens"`
			OutTokens    *int64 `json:"outputTokens"`
		} `json:"usage"`
		InputTextTokenCount  *int64 `json:"inputTextTokenCount"`
		PromptTokenCount     *int64 `json:"prompt_token_count"`
		GenerationTokenCount *int64 `json:"generation_token_count"`
		Results              []struct {
			TokenCount int64 `json:"tokenCount"`
		} `json:"results"`
	}
	if json.Unmarshal(body, &u) != nil {
		return 0, 0
	}
	v := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	if u.Usage != nil {
		return v(u.Usage.InputTokens) + v(u.Usage.InTokens), v(u.Usage.OutputTokens) + v(u.Usage.OutTokens)
	}
	in = v(u.InputTextTokenCount) + v(u.PromptTokenCount)
	out = v(u.GenerationTokenCount)
	for _, r := range u.Results {
		out += r.TokenCount
	}
	return in, out
}

// outputPrefix is "<output s3Uri key>/<jobId>/".
func outputPrefix(j *job) (bucket, prefix string) {
	bucket, key := splitS3URI(j.spec.Output.S3OutputDataConfig.S3URI)
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return bucket, key + j.id + "/"
}

// writeOutput writes one <inputFile>.out per input file that has answered records, each in a
// shuffled order (deterministic by seed and job), then manifest.json.out. It returns "" or the
// message the job fails with. Each object is streamed: its lines are built as the upload reads
// them, so the output never sits in memory whole.
func (e *Emulator) writeOutput(j *job) string {
	bucket, prefix := outputPrefix(j)
	order := make([][]int32, len(j.files))
	var m manifest
	m.TotalRecordCount = int64(j.recordCount())
	for i, r := range j.results {
		order[r.file] = append(order[r.file], int32(i))
		m.ProcessedRecordCount++
		if r.ok {
			m.SuccessRecordCount++
		} else {
			m.ErrorRecordCount++
		}
		m.InputTokenCount += r.inputTokens
		m.OutputTokenCount += r.outputTokens
	}
	for fi, idx := range order {
		if len(idx) == 0 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(j.id + "/" + j.files[fi].key))
		rng := rand.New(rand.NewPCG(uint64(e.cfg.Faults.Seed), h.Sum64()))
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		body := newLinesBody(j, idx)
		if msg := e.put(bucket, prefix+j.files[fi].outName+".out", body, body.size); msg != "" {
			return msg
		}
	}
	body, _ := json.Marshal(m)
	return e.put(bucket, prefix+"manifest.json.out", bytes.NewReader(body), int64(len(body)))
}

// linesBody is an output object as an io.ReadSeeker: the lines of some results of a job, in a
// given order, each built when a read reaches it.
type linesBody struct {
	j     *job
	order []int32 // indexes into j.results
	ends  []int64 // ends[k] is the offset just past line k
	size  int64
	pos   int64
	cur   int    // the line held in line, -1 for none
	line  []byte // line cur
}

func newLinesBody(j *job, order []int32) *linesBody {
	b := &linesBody{j: j, order: order, ends: make([]int64, len(order)), cur: -1}
	for k, i := range order {
		r := &j.results[i]
		b.size += int64(lineLen(&j.files[r.file].records[r.index], r.outputKey(), r.value))
		b.ends[k] = b.size
	}
	return b
}

// Read copies the bytes at the current offset into p.
func (b *linesBody) Read(p []byte) (int, error) {
	if b.pos >= b.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && b.pos < b.size {
		k := b.cur
		if k < 0 || b.pos >= b.ends[k] || b.pos < b.ends[k]-int64(len(b.line)) {
			k = sort.Search(len(b.ends), func(x int) bool { return b.ends[x] > b.pos })
			r := &b.j.results[b.order[k]]
			b.line = appendLine(b.line[:0], &b.j.files[r.file].records[r.index], r.outputKey(), r.value)
			b.cur = k
		}
		c := copy(p[n:], b.line[int64(len(b.line))-(b.ends[k]-b.pos):])
		n += c
		b.pos += int64(c)
	}
	return n, nil
}

// Seek sets the offset of the next Read.
func (b *linesBody) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += b.pos
	case io.SeekEnd:
		offset += b.size
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek output body to %d: negative offset", offset)
	}
	b.pos = offset
	return offset, nil
}

// put uploads one output object. The payload is sent unsigned (see unsignedPayload), so the SDK
// does not read a large body once more just to hash it; the CRC32 checksum is still sent.
func (e *Emulator) put(bucket, key string, body io.ReadSeeker, size int64) string {
	_, err := e.cfg.S3.PutObject(e.ctx, &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          body,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String("application/octet-stream"),
	}, s3.WithAPIOptions(func(s *middleware.Stack) error {
		return s.Finalize.Add(unsignedPayload{}, middleware.Before)
	}))
	if err != nil {
		return fmt.Sprintf("Amazon Bedrock could not write to the output location s3://%s/%s. Check that the service role has s3:PutObject permission on it. (%v)", bucket, key, err)
	}
	return ""
}

// unsignedPayload sets the request's payload hash to UNSIGNED-PAYLOAD before the checksum and
// signing middlewares run, so neither SHA-256-hashes the body: the checksum middleware would
// otherwise hash it beside the CRC32 whenever the hash is unset, over plain HTTP even when the
// signer is later told to sign UNSIGNED-PAYLOAD.
type unsignedPayload struct{}

func (unsignedPayload) ID() string { return "BedrockEmuUnsignedPayload" }

func (unsignedPayload) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
	return next.HandleFinalize(v4.SetPayloadHash(ctx, "UNSIGNED-PAYLOAD"), in)
}
