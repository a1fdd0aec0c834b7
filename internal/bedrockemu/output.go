package bedrockemu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/bedrock-batch/bedrock-batch/internal/fakemodel"
)

// result is one answered record: its output line and what it counts for.
type result struct {
	file                      int
	recordID                  string
	line                      []byte
	ok                        bool
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

// answer produces the output line of one record: an injected fault, the model's error, or the
// model's output.
func (e *Emulator) answer(j *job, file int, r *record) result {
	f := e.cfg.Faults
	name := j.spec.Name
	res := result{file: file, recordID: r.recordID}
	switch {
	case f.Hit(f.RecordPermanent, "record-permanent", name, r.recordID):
		res.line = errorLine(r, http.StatusBadRequest, permanentErrorMessage)
	case f.Hit(f.RecordRetryable, "record-retryable", name, r.recordID):
		pick := retryableErrors[int(f.Roll("record-retryable-code", name, r.recordID)*float64(len(retryableErrors)))]
		res.line = errorLine(r, pick.code, pick.message)
	default:
		out, err := e.cfg.Invoke(j.spec.ModelID, j.spec.InvocationType, r.modelInput)
		if err != nil {
			var me *fakemodel.Error
			if errors.As(err, &me) {
				res.line = errorLine(r, me.Status, me.Message)
			} else {
				res.line = errorLine(r, http.StatusInternalServerError, "The system encountered an unexpected error during processing. Try your request again.")
			}
			return res
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, out); err != nil {
			res.line = errorLine(r, http.StatusInternalServerError, "The model returned a response that is not valid JSON.")
			return res
		}
		res.ok = true
		res.inputTokens, res.outputTokens = usage(compact.Bytes())
		res.line = recordLine(r, "modelOutput", compact.Bytes())
	}
	return res
}

func recordLine(r *record, key string, value []byte) []byte {
	var b bytes.Buffer
	b.WriteString(`{"recordId":`)
	b.Write(r.recordIDRaw)
	b.WriteString(`,"modelInput":`)
	b.Write(r.modelInput)
	b.WriteString(`,"` + key + `":`)
	b.Write(value)
	b.WriteString("}\n")
	return b.Bytes()
}

func errorLine(r *record, code int, message string) []byte {
	v, _ := json.Marshal(struct {
		ErrorCode    int    `json:"errorCode"`
		ErrorMessage string `json:"errorMessage"`
	}{code, message})
	return recordLine(r, "error", v)
}

// usage reads the token counts of a model output body, whichever family's fields it carries.
// Bodies without usage (Mistral, Cohere Embed) count zero.
func usage(body []byte) (in, out int64) {
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
// message the job fails with.
func (e *Emulator) writeOutput(j *job) string {
	bucket, prefix := outputPrefix(j)
	lines := make([][][]byte, len(j.files))
	var m manifest
	m.TotalRecordCount = int64(j.recordCount())
	for _, r := range j.results {
		lines[r.file] = append(lines[r.file], r.line)
		m.ProcessedRecordCount++
		if r.ok {
			m.SuccessRecordCount++
		} else {
			m.ErrorRecordCount++
		}
		m.InputTokenCount += r.inputTokens
		m.OutputTokenCount += r.outputTokens
	}
	for fi, ls := range lines {
		if len(ls) == 0 {
			continue
		}
		h := fnv.New64a()
		h.Write([]byte(j.id + "/" + j.files[fi].key))
		rng := rand.New(rand.NewPCG(uint64(e.cfg.Faults.Seed), h.Sum64()))
		rng.Shuffle(len(ls), func(a, b int) { ls[a], ls[b] = ls[b], ls[a] })
		if msg := e.put(bucket, prefix+j.files[fi].outName+".out", bytes.Join(ls, nil)); msg != "" {
			return msg
		}
	}
	body, _ := json.Marshal(m)
	return e.put(bucket, prefix+"manifest.json.out", body)
}

func (e *Emulator) put(bucket, key string, body []byte) string {
	_, err := e.cfg.S3.PutObject(e.ctx, &s3.PutObjectInput{
		Bucket:      aws.String(bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/octet-stream"),
	})
	if err != nil {
		return fmt.Sprintf("Amazon Bedrock could not write to the output location s3://%s/%s. Check that the service role has s3:PutObject permission on it. (%v)", bucket, key, err)
	}
	return ""
}
