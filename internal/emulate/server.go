package emulate

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Server is an http.Server for a local endpoint that knows which of its connections never sent a
// request. http.Server.Shutdown counts such a connection as busy for its first five seconds, and
// an HTTP client's pool can leave one behind (dialled for a request another connection then
// served), so without this every local run would end with a five-second wait.
type Server struct {
	*http.Server

	mu    sync.Mutex
	fresh map[net.Conn]struct{} // connections in http.StateNew
}

// NewServer returns a Server for h. What net/http itself reports (a handler answering a client
// that went away, say) goes to log at debug level; nil means slog.Default().
func NewServer(h http.Handler, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{fresh: map[net.Conn]struct{}{}}
	s.Server = &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second, ConnState: s.track,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	return s
}

func (s *Server) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		s.fresh[c] = struct{}{}
	} else {
		delete(s.fresh, c)
	}
}

func (s *Server) closeFresh() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.fresh {
		c.Close()
		delete(s.fresh, c)
	}
}

// Stop stops accepting connections, closes those that never sent a request, waits for the
// requests in flight until ctx ends, and then closes whatever is left.
func (s *Server) Stop(ctx context.Context) {
	done := make(chan error, 1)
	go func() { done <- s.Shutdown(ctx) }()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		s.closeFresh()
		select {
		case err := <-done:
			if err != nil {
				s.Close()
			}
			return
		case <-t.C:
		}
	}
}
