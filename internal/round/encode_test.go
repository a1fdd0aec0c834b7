package round

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bedrock-batch/bedrock-batch/internal/model"
)

// encodeCases are answers whose strings and model outputs take every path of appendAnswer.
var encodeCases = map[string]Answer{
	"plain":          {RecordID: "ticket-1", ModelOutput: json.RawMessage(`{"content":[{"type":"text","text":"Billing"}],"usage":{"input_tokens":12,"output_tokens":3}}`), Usage: &model.Usage{InputTokens: 12, OutputTokens: 3}, AnsweredBy: ByBatch, Round: 1, JobName: "bbatch-r1-c00000-a1", Line: 7, Source: 0},
	"no usage":       {RecordID: "42", ModelOutput: json.RawMessage(`{"embedding":[0.1,-2e-3,3]}`), AnsweredBy: ByOnDemand, Round: 2, Line: 1 << 40, Source: 3},
	"spaced output":  {RecordID: "a", ModelOutput: json.RawMessage("{ \"text\" : \"two  words\",\n\t\"n\": [1, 2] }"), AnsweredBy: ByBatch},
	"html in output": {RecordID: "a", ModelOutput: json.RawMessage(`{"text":"<b>a & b</b> \"q\" \\ \u00e9"}`), AnsweredBy: ByBatch},
	"line separator": {RecordID: "a", ModelOutput: json.RawMessage("{\"text\":\"x\u2028y\u2029z\u2014\"}"), AnsweredBy: ByBatch},
	"escaped quote":  {RecordID: "a", ModelOutput: json.RawMessage(`{"text":"say \"<\" \\\"","k":"\u003c"}`), AnsweredBy: ByBatch},
	"odd record id":  {RecordID: "ünï <code> \"q\" \\ \t\x01\u2028", ModelOutput: json.RawMessage(`"just a string"`), AnsweredBy: ByBatch},
	"invalid utf8":   {RecordID: "bad\xffid", ModelOutput: json.RawMessage(`[true,false,null]`), AnsweredBy: ByBatch},
	"empty strings":  {RecordID: "", ModelOutput: json.RawMessage(`{}`), AnsweredBy: ""},
}

// TestAppendAnswerMatchesMarshal holds the hand-written encoder to json.Marshal, byte for byte.
func TestAppendAnswerMatchesMarshal(t *testing.T) {
	for name, a := range encodeCases {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendAnswer([]byte("prefix"), &a)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, append([]byte("prefix"), want...)) {
				t.Errorf("appendAnswer\n%s\njson.Marshal\n%s", got[len("prefix"):], want)
			}
		})
	}
}

func TestAppendAnswerInvalidOutput(t *testing.T) {
	a := Answer{RecordID: "a", ModelOutput: json.RawMessage(`{"text": }`)}
	if _, err := appendAnswer(nil, &a); err == nil {
		t.Error("invalid model output with a space encoded without error")
	}
}

// FuzzAppendAnswer compares appendAnswer with json.Marshal for any recordId and any valid JSON
// model output.
func FuzzAppendAnswer(f *testing.F) {
	for _, a := range encodeCases {
		f.Add(a.RecordID, []byte(a.ModelOutput))
	}
	f.Fuzz(func(t *testing.T, id string, out []byte) {
		if !json.Valid(out) {
			return
		}
		a := Answer{RecordID: id, ModelOutput: out, AnsweredBy: ByBatch, Round: 1, Line: 3}
		want, err := json.Marshal(a)
		if err != nil {
			t.Skip(err)
		}
		got, err := appendAnswer(nil, &a)
		if err != nil {
			t.Fatalf("appendAnswer failed on valid output: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("appendAnswer\n%q\njson.Marshal\n%q", got, want)
		}
	})
}

func BenchmarkAppendAnswer(b *testing.B) {
	a := encodeCases["plain"]
	b.Run("appendAnswer", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = appendAnswer(buf[:0], &a)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(a)
		}
	})
}
