package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// streamAll reads data with Stream, rendered as readAll renders Scan and Replay.
func streamAll(t *testing.T, data []byte, opts Options, lines int64) got {
	t.Helper()
	var g got
	first := map[uint64]int64{}
	s, err := Stream(context.Background(), bytes.NewReader(data), opts, lines, func(r *Record) error {
		g.records = append(g.records, fmt.Sprintf("%d %s %s %s", r.Line, r.ID, r.RecordIDJSON, r.ModelInput))
		if h := RecordIDHash(r.RecordIDJSON); first[h] == 0 {
			first[h] = r.Line
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	defer s.Close()
	g.stats = s.Stats()
	want := map[uint64]int64{}
	for _, h := range s.DuplicateHashes() {
		want[h] = first[h]
	}
	err = s.Rejects(want, func(rj Reject) error {
		s := rj.String()
		if rj.RecordID != "" {
			s += " id=" + rj.RecordID
		}
		g.rejects = append(g.rejects, s)
		return nil
	})
	if err != nil {
		t.Fatalf("Rejects: %v", err)
	}
	return g
}

// streamCases are datasets with every kind of line; Stream must read them as Scan and Replay do.
var streamCases = map[string]string{
	"ids of every kind":                   "{\"recordId\":\"a\",\"modelInput\":{\"x\":1}}\n{\"modelInput\": {} , \"recordId\": 1e3}\n{\"modelInput\":{\"y\":[1,2]}}\n",
	"BOM, CRLF, blanks, no final newline": "\xEF\xBB\xBF{\"recordId\":\"a\",\"modelInput\":{}}\r\n\r\n  \t\n{\"recordId\":\"b\",\"modelInput\":{}}",
	"duplicates of every spelling": strings.Join([]string{
		`{"recordId":"5","modelInput":{}}`,
		`{"recordId":5,"modelInput":{}}`,
		`{"recordId":"\u0035","modelInput":{}}`,
		`{"modelInput":{}}`,
		`{"recordId":"line-4","modelInput":{"again":true}}`,
		`{"recordId":"x","modelInput":"bad"}`,
		`{"recordId":"x","modelInput":{}}`,
		`{"recordId":"x","modelInput":{}}`,
		`not json`,
		`{"recordId":"5","modelInput":{}}`,
	}, "\n") + "\n",
	"long lines": `{"recordId":"a","modelInput":{"t":"` + strings.Repeat("z", 3000) + `"}}` + "\n" +
		`{"recordId":"b","modelInput":{}}` + "\n" + strings.Repeat(" ", 5000) + "\n" +
		`{"recordId":"a","modelInput":{"t":"` + strings.Repeat("y", 900) + `"}}` + "\n",
	"empty": "",
}

func TestStreamReadsAsScanAndReplay(t *testing.T) {
	for name, in := range streamCases {
		for _, block := range []int{16, 64, 4096, 0} {
			opts := Options{MaxLineBytes: 2048, Workers: 3, blockSize: block}
			t.Run(fmt.Sprintf("%s/block %d", name, block), func(t *testing.T) {
				want := readAll(t, []byte(in), opts)
				for _, hint := range []int64{0, int64(strings.Count(in, "\n") + 1)} {
					if g := streamAll(t, []byte(in), opts, hint); !reflect.DeepEqual(g, want) {
						t.Errorf("hint %d: Stream read\n%+v\nScan and Replay read\n%+v", hint, g, want)
					}
				}
			})
		}
	}
}

func TestStreamGzip(t *testing.T) {
	in := streamCases["duplicates of every spelling"]
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(in))
	zw.Close()
	if g, want := streamAll(t, buf.Bytes(), Options{}, 0), readAll(t, []byte(in), Options{}); !reflect.DeepEqual(g, want) {
		t.Errorf("gzip: Stream read\n%+v\nwant\n%+v", g, want)
	}
}

func TestStreamStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	_, err := Stream(context.Background(), strings.NewReader(streamCases["ids of every kind"]), Options{blockSize: 16}, 0, func(*Record) error {
		n++
		return stop
	})
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Stream: %v after %d records, want the callback's error after 1", err, n)
	}
}

func TestIDSetGrows(t *testing.T) {
	s := newIDSet(0)
	for i := range uint64(10_000) {
		h := i * 0x9E3779B97F4A7C15 // 0 included
		if !s.add(h) {
			t.Fatalf("hash %d reported present before it was added", i)
		}
		if s.add(h) {
			t.Fatalf("hash %d added twice", i)
		}
	}
	if len(s.slots) < 10_000*5/4 {
		t.Errorf("%d slots for 10,000 ids, want at least 12,500", len(s.slots))
	}
}

func FuzzStream(f *testing.F) {
	for _, in := range streamCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
			return // gzip framing is the standard library's business
		}
		opts := Options{MaxLineBytes: 200, blockSize: 64, Workers: 2}
		if g, want := streamAll(t, data, opts, 4), readAll(t, data, opts); !reflect.DeepEqual(g, want) {
			t.Fatalf("Stream read\n%+v\nScan and Replay read\n%+v", g, want)
		}
	})
}
