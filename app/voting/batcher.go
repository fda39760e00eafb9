package voting

import "sync"

// batcher gathers requests that arrive while earlier ones are being served and
// serves them together: at most maxWorkers calls of serve at a time, each with up
// to maxBatch queued requests in arrival order. Workers are goroutines started on
// demand; each ends when it finds the queue empty, so an idle service holds none.
// serve must answer every request of its batch; callers wait for their answer on a
// channel of their own.
//
// When key is set, a batch holds at most one request per key: a later request with
// the key of one already taken waits in the queue for a following batch.
type batcher[T any, K comparable] struct {
	maxWorkers int
	maxBatch   int
	serve      func(batch []T)
	key        func(T) K
	depth      func(n int) // nil, or told the queue's length whenever it changes (under mu)

	mu      sync.Mutex
	queue   []T
	workers int
}

// add queues a request and makes sure a worker will serve it.
func (b *batcher[T, K]) add(req T) {
	b.mu.Lock()
	b.queue = append(b.queue, req)
	if b.depth != nil {
		b.depth(len(b.queue))
	}
	if b.workers < b.maxWorkers {
		b.workers++
		go b.work()
	}
	b.mu.Unlock()
}

// work serves batches until the queue is empty.
func (b *batcher[T, K]) work() {
	for {
		b.mu.Lock()
		batch := b.take()
		if b.depth != nil {
			b.depth(len(b.queue))
		}
		if len(batch) == 0 {
			b.workers--
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.serve(batch)
	}
}

// take removes the next batch from the queue. The caller holds b.mu.
func (b *batcher[T, K]) take() []T {
	n := min(len(b.queue), b.maxBatch)
	if n == 0 {
		return nil
	}
	if b.key == nil {
		batch := append([]T(nil), b.queue[:n]...)
		rest := copy(b.queue, b.queue[n:])
		clear(b.queue[rest:])
		b.queue = b.queue[:rest]
		return batch
	}
	batch := make([]T, 0, n)
	seen := make(map[K]bool, n)
	rest := b.queue[:0]
	for _, req := range b.queue {
		k := b.key(req)
		if len(batch) == b.maxBatch || seen[k] {
			rest = append(rest, req)
			continue
		}
		seen[k] = true
		batch = append(batch, req)
	}
	clear(b.queue[len(rest):])
	b.queue = rest
	return batch
}
