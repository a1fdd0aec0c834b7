package chunk

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestBufPipe(t *testing.T) {
	pool := newBufPool(8, 4)
	tests := []struct {
		name    string
		writes  []string
		readErr error // the reader stops after its first read with this error
		closeW  error
		want    string
		wantErr string
	}{
		{name: "clean", writes: []string{"abc", "defghijklmnop", "", "q"}, want: "abcdefghijklmnopq"},
		{name: "writer error reaches the reader", writes: []string{"abcdefghij"}, closeW: errors.New("replay failed"), want: "abcdefgh", wantErr: "replay failed"},
		{name: "reader gone fails the writer", writes: []string{strings.Repeat("x", 100)}, readErr: errors.New("bucket gone"), wantErr: "bucket gone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newBufPipe(pool, 2)
			got := make(chan string, 1)
			go func() {
				var out bytes.Buffer
				buf := make([]byte, 3)
				for {
					n, err := p.Read(buf)
					out.Write(buf[:n])
					if tc.readErr != nil {
						p.CloseRead(tc.readErr)
						break
					}
					if err != nil {
						if err != io.EOF {
							out.WriteString("|" + err.Error())
						}
						break
					}
				}
				got <- out.String()
			}()
			var werr error
			for _, w := range tc.writes {
				if _, werr = p.WriteString(w); werr != nil {
					break
				}
			}
			if cerr := p.CloseWithError(tc.closeW); werr == nil {
				werr = cerr
			}
			out := <-got
			p.release(pool)
			switch {
			case tc.readErr != nil:
				if werr == nil || werr.Error() != tc.wantErr {
					t.Errorf("writer error %v, want %q", werr, tc.wantErr)
				}
			case tc.wantErr != "":
				if out != tc.want+"|"+tc.wantErr {
					t.Errorf("reader got %q, want %q then error %q", out, tc.want, tc.wantErr)
				}
			default:
				if out != tc.want || werr != nil {
					t.Errorf("reader got %q (writer err %v), want %q", out, werr, tc.want)
				}
			}
		})
	}
	seen := map[*byte]bool{}
	for len(pool.free) > 0 {
		b := <-pool.free
		if p := &b[:1][0]; seen[p] {
			t.Fatal("a buffer went back to the pool twice")
		} else {
			seen[p] = true
		}
	}
}
