package bedrockemu

import (
	"bytes"
	"encoding/json"
	"testing"
)

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"recordId":"r1","modelInput":{"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[]}}`))
	f.Add([]byte(`{"modelInput":{}}`))
	f.Add([]byte(`{"recordId":7,"modelInput":{"inputText":"x"}}`))
	f.Add([]byte(`{"recordId":"r","modelInput":{`))
	f.Add([]byte(`[1,2]`))
	e, err := New(Config{S3: nopS3{}})
	if err != nil {
		f.Fatal(err)
	}
	defer e.Close()
	f.Fuzz(func(t *testing.T, line []byte) {
		rec, reason := e.parseRecord(line, "in/a.jsonl", 1)
		if reason != "" {
			if bytes.Contains([]byte(reason), line) && len(line) > 8 {
				t.Fatalf("reason %q echoes the line", reason)
			}
			return
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(rec.modelInput, &obj); err != nil || obj == nil {
			t.Fatalf("accepted modelInput %q is not a JSON object", rec.modelInput)
		}
		if !json.Valid(rec.recordIDRaw) || rec.recordID == "" && string(rec.recordIDRaw) != `""` {
			t.Fatalf("accepted recordId raw %q, string %q", rec.recordIDRaw, rec.recordID)
		}
		out := recordLine(&rec, "modelOutput", []byte(`{}`))
		if !json.Valid(out) || bytes.Count(out, []byte("\n")) != 1 {
			t.Fatalf("output line %q is not one JSON line", out)
		}
	})
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(&job{seq: 3}))
	f.Add("bm90LWEtdG9rZW4")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeCursor(s)
		if ok && encodeCursor(c) == "" {
			t.Fatalf("decoded cursor %q does not encode", s)
		}
	})
}
