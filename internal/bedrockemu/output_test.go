package bedrockemu

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// TestLinesBody reads an output body the ways an upload may: in small and odd-sized reads, after
// seeking back to the start, from the middle of a line, and to learn its size.
func TestLinesBody(t *testing.T) {
	j := &job{files: []inputFile{{}, {}}}
	for f := range j.files {
		for i := range 5 {
			j.files[f].records = append(j.files[f].records, record{
				id:         fmt.Appendf(nil, `"f%d-r%d"`, f, i),
				modelInput: fmt.Appendf(nil, `{"prompt":"%s"}`, bytes.Repeat([]byte("x"), 7*i)),
			})
			ok := i%2 == 0
			value := []byte(`{"errorCode":400,"errorMessage":"bad"}`)
			if ok {
				value = fmt.Appendf(nil, `{"generation":"%d"}`, i)
			}
			j.results = append(j.results, result{file: int32(f), index: int32(i), ok: ok, value: value})
		}
	}
	order := []int32{7, 2, 9, 0, 5}
	var want []byte
	for _, i := range order {
		r := &j.results[i]
		want = appendLine(want, &j.files[r.file].records[r.index], r.outputKey(), r.value)
	}

	body := newLinesBody(j, order)
	if body.size != int64(len(want)) {
		t.Fatalf("size = %d, want %d", body.size, len(want))
	}
	if end, err := body.Seek(0, io.SeekEnd); err != nil || end != int64(len(want)) {
		t.Fatalf("Seek(0, SeekEnd) = %d, %v; want %d", end, err, len(want))
	}
	for _, chunk := range []int{1, 3, 17, 64, 4096} {
		t.Run(fmt.Sprintf("reads of %d", chunk), func(t *testing.T) {
			if _, err := body.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			var got []byte
			buf := make([]byte, chunk)
			for {
				n, err := body.Read(buf)
				got = append(got, buf[:n]...)
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("body = %q\nwant   %q", got, want)
			}
		})
	}
	for _, at := range []int64{1, 40, int64(len(want)) - 2} {
		if _, err := body.Seek(at, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(body)
		if err != nil || !bytes.Equal(got, want[at:]) {
			t.Fatalf("read from %d = %q, %v; want %q", at, got, err, want[at:])
		}
	}
	if _, err := body.Seek(-1, io.SeekStart); err == nil {
		t.Fatalf("Seek(-1, SeekStart) succeeded")
	}
}
