package hub

import (
	"context"
	"fmt"
	"time"
)

// saveQueueLen bounds the messages waiting to be written to the Store. The
// hub never waits for the disk: if the saver falls this far behind (the
// disk is failing), newer messages are not saved, and the log says so.
const saveQueueLen = 8192

// saveBatch is the most messages written in one transaction.
const saveBatch = 256

// pruneEvery is how many saved messages pass between two prunes.
const pruneEvery = 1000

// load fills the recent history from the Store and continues its IDs.
func (h *Hub) load(ctx context.Context) error {
	st := h.opts.Store
	last, err := st.LastID(ctx)
	if err != nil {
		return fmt.Errorf("hub: history: %w", err)
	}
	h.lastID = last
	h.prune(ctx)
	recent, err := st.Recent(ctx, h.opts.HistoryLen)
	if err != nil {
		return fmt.Errorf("hub: history: %w", err)
	}
	for _, ev := range recent {
		h.recent.push(ev)
	}
	return nil
}

// save hands a message to the saver without waiting.
func (h *Hub) save(ev *Event) {
	if h.saves == nil {
		return
	}
	select {
	case h.saves <- ev:
	default:
		h.log.Error("history: the saver is behind; a message was not saved", "id", ev.ID)
	}
}

// startSaver starts the goroutine that writes messages to the Store in
// batches. The returned stop closes its queue and waits until it has
// written everything queued.
func (h *Hub) startSaver() (stop func()) {
	h.saves = make(chan *Event, saveQueueLen)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ctx := context.Background() // the saver finishes what it was given
		batch := make([]*Event, 0, saveBatch)
		saved := 0 // since the last prune
		for ev := range h.saves {
			batch = append(batch[:0], ev)
		more:
			for len(batch) < saveBatch {
				select {
				case ev, ok := <-h.saves:
					if !ok {
						break more
					}
					batch = append(batch, ev)
				default:
					break more
				}
			}
			if err := h.opts.Store.Append(ctx, batch); err != nil {
				h.log.Error("history: saving failed", "err", err, "messages", len(batch))
			}
			if saved += len(batch); saved >= pruneEvery {
				saved = 0
				h.prune(ctx)
			}
		}
	}()
	return func() {
		close(h.saves)
		<-done
		h.saves = nil
	}
}

// prune applies the retention policy.
func (h *Hub) prune(ctx context.Context) {
	var before time.Time
	if h.opts.Retention.MaxAge > 0 {
		before = h.opts.Now().Add(-h.opts.Retention.MaxAge)
	}
	keep := max(h.opts.Retention.Keep, 0)
	if n, err := h.opts.Store.Prune(ctx, keep, before); err != nil {
		h.log.Error("history: pruning failed", "err", err)
	} else if n > 0 {
		h.log.Info("history: pruned", "messages", n)
	}
}
