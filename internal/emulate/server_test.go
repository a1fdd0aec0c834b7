package emulate

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
)

// TestServerStop: Stop closes a connection that never sent a request at once, and lets a
// request in flight finish with its response.
func TestServerStop(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	s := NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "done")
	}), nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)

	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	type reply struct {
		body string
		err  error
	}
	replies := make(chan reply, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String())
		if err != nil {
			replies <- reply{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		replies <- reply{string(b), err}
	}()
	<-entered

	stopped := make(chan struct{})
	go func() {
		s.Stop(context.Background())
		close(stopped)
	}()
	// The unused connection is closed while the request is still in flight.
	if n, err := idle.Read(make([]byte, 1)); err == nil {
		t.Fatalf("read %d bytes from a connection that never sent a request; want it closed", n)
	}
	select {
	case <-stopped:
		t.Fatal("Stop returned with a request in flight")
	default:
	}
	close(release)
	if r := <-replies; r.err != nil || r.body != "done" {
		t.Errorf("request in flight: %q, %v; want its response", r.body, r.err)
	}
	<-stopped
}
