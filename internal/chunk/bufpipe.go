package chunk

import (
	"errors"
	"io"
	"sync"
)

// bufPipe connects the replay (which pushes records) to a store's Put (which pulls a body)
// by handing over whole buffers: one goroutine switch per buffer instead of one per Read,
// which io.Pipe costs. Write and Close are for one goroutine, Read for another.
type bufPipe struct {
	full chan []byte
	free chan []byte
	cur  []byte // writer's buffer being filled
	rbuf []byte // reader's buffer being drained
	rown []byte // the whole buffer rbuf came from, to recycle

	stop     chan struct{} // closed when the reader gives up
	stopOnce sync.Once
	mu       sync.Mutex
	rerr     error // why the reader gave up
	werr     error // what the writer closed with, nil for a clean end
}

// bufPool keeps buffers of one size for the pipes of successive chunks, so writing many
// chunks does not leave a trail of garbage buffers.
type bufPool struct {
	size int
	free chan []byte
}

func newBufPool(size, keep int) *bufPool { return &bufPool{size: size, free: make(chan []byte, keep)} }

func (bp *bufPool) get() []byte {
	select {
	case b := <-bp.free:
		return b[:0]
	default:
		return make([]byte, 0, bp.size)
	}
}

func (bp *bufPool) put(b []byte) {
	if cap(b) != bp.size {
		return
	}
	select {
	case bp.free <- b:
	default:
	}
}

func newBufPipe(pool *bufPool, buffers int) *bufPipe {
	p := &bufPipe{full: make(chan []byte, buffers), free: make(chan []byte, buffers+1), stop: make(chan struct{})}
	for range buffers {
		p.free <- pool.get()
	}
	p.cur = pool.get()
	return p
}

// release gives every buffer back to pool. It is called once both sides are done: after
// CloseWithError and after the reader (the store's Put) has returned.
func (p *bufPipe) release(pool *bufPool) {
	for b := range p.full {
		pool.put(b)
	}
	for {
		select {
		case b := <-p.free:
			pool.put(b)
		default:
			pool.put(p.cur)
			if p.rown != nil {
				pool.put(p.rown)
			}
			p.cur, p.rown, p.rbuf = nil, nil, nil
			return
		}
	}
}

// Write buffers b, handing over full buffers; it fails once the reader has given up.
func (p *bufPipe) Write(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		room := cap(p.cur) - len(p.cur)
		if room == 0 {
			if err := p.flush(); err != nil {
				return n, err
			}
			continue
		}
		k := min(room, len(b))
		p.cur = append(p.cur, b[:k]...)
		b = b[k:]
		n += k
	}
	return n, nil
}

// WriteString is Write without a conversion.
func (p *bufPipe) WriteString(s string) (int, error) {
	if cap(p.cur)-len(p.cur) >= len(s) {
		p.cur = append(p.cur, s...)
		return len(s), nil
	}
	return p.Write([]byte(s))
}

func (p *bufPipe) flush() error {
	select {
	case p.full <- p.cur:
		p.cur = nil // the reader owns it now
	case <-p.stop:
		return p.readErr()
	}
	select {
	case p.cur = <-p.free:
		p.cur = p.cur[:0]
		return nil
	case <-p.stop:
		return p.readErr()
	}
}

// CloseWithError ends the body: the reader sees err, or io.EOF when err is nil.
func (p *bufPipe) CloseWithError(err error) error {
	var ferr error
	if err == nil && len(p.cur) > 0 {
		if ferr = p.flush(); ferr != nil {
			err = ferr
		}
	}
	p.mu.Lock()
	p.werr = err
	p.mu.Unlock()
	close(p.full)
	return ferr
}

func (p *bufPipe) readErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rerr
}

// Read drains the handed-over buffers in order.
func (p *bufPipe) Read(b []byte) (int, error) {
	for len(p.rbuf) == 0 {
		if p.rown != nil {
			p.free <- p.rown
			p.rown = nil
		}
		buf, ok := <-p.full
		if !ok {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.werr != nil {
				return 0, p.werr
			}
			return 0, io.EOF
		}
		p.rown, p.rbuf = buf, buf
	}
	n := copy(b, p.rbuf)
	p.rbuf = p.rbuf[n:]
	return n, nil
}

// CloseRead tells the writer the reader is gone; later Writes fail with err.
func (p *bufPipe) CloseRead(err error) {
	if err == nil {
		err = errors.New("read side closed")
	}
	p.stopOnce.Do(func() {
		p.mu.Lock()
		p.rerr = err
		p.mu.Unlock()
		close(p.stop)
	})
}
