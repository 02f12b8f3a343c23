package cluster

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"

	"github.com/anseo/anseo/internal/hub"
)

// Run implements hub.Log: it links h to the cluster until ctx is done. It
// delivers the cluster's events to h (and to this node's History), publishes
// h's, keeps h's names alive and watches for names that move or expire. The
// hub cancels ctx once it has stopped, so that the departures it announces as
// it stops are published: Run publishes what is queued, for up to
// Config.FlushTimeout, before it returns.
func (l *Link) Run(ctx context.Context, h *hub.Hub) error {
	last, err := h.LastID(ctx)
	if err != nil {
		return ignoreStop(err)
	}
	info, err := l.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("cluster: the room stream: %w", err)
	}
	streamLast := info.State.LastSeq
	l.lastSeq.Store(last)
	if last > streamLast {
		return fmt.Errorf("cluster: this node's history goes up to event %d, beyond the cluster's %d: "+
			"it was kept outside this cluster; start the node with an empty history file", last, streamLast)
	}
	cons, err := l.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   last + 1,
	})
	if err != nil {
		return fmt.Errorf("cluster: reading the room stream: %w", err)
	}
	watcher, known, err := l.readNames(ctx)
	if err != nil {
		return ignoreStop(err)
	}
	if err := h.AddRemote(ctx, l.elsewhere(known)); err != nil {
		_ = watcher.Stop()
		return ignoreStop(err)
	}
	if first := info.State.FirstSeq; last+1 < first {
		// The stream let go of entries this node never saw.
		if err := l.recall(ctx, h, last, first); err != nil {
			_ = watcher.Stop()
			return ignoreStop(err)
		}
	}
	l.log.Info("cluster: linked", "node", l.node, "from", last+1, "catchUpTo", streamLast, "elsewhere", len(known))
	if last == streamLast || info.State.Msgs == 0 {
		// Nothing to catch up on: a stream that NATS made anew (heal)
		// numbers on from far past its last entry, but holds none yet.
		close(l.ready)
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { l.writeHistory(); return nil })
	g.Go(func() error { defer close(l.history); return l.consume(gctx, h, cons, streamLast) })
	g.Go(func() error { return l.watch(gctx, h, watcher, known) })
	g.Go(func() error { l.keepAlive(gctx); return nil })
	g.Go(func() error { l.heal(gctx); return nil })
	g.Go(func() error { l.copyAccounts(gctx); return nil })
	g.Go(func() error { l.publish(ctx); return nil })
	return g.Wait()
}

func (l *Link) isReady() bool {
	select {
	case <-l.ready:
		return true
	default:
		return false
	}
}

func ignoreStop(err error) error {
	if errors.Is(err, hub.ErrClosed) || errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// holder is who holds a name, as the names bucket last said.
type holder struct {
	nameValue
	rev uint64 // the entry's revision
}

// readNames starts watching the names bucket and reads who holds each name
// now, by encoded key. The caller stops the watcher.
func (l *Link) readNames(ctx context.Context) (jetstream.KeyWatcher, map[string]holder, error) {
	w, err := l.names.WatchAll(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: watching names: %w", err)
	}
	known := make(map[string]holder)
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			_ = w.Stop()
			return nil, nil, ctx.Err()
		}
		if e == nil {
			return w, known, nil // the current values are all in
		}
		var v nameValue
		if e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &v) == nil {
			known[e.Key()] = holder{v, e.Revision()}
		}
	}
}

// elsewhere returns the people of known who are on other nodes.
func (l *Link) elsewhere(known map[string]holder) []hub.Presence {
	var people []hub.Presence
	for _, v := range known {
		if v.Node != l.node {
			people = append(people, hub.Presence{Name: v.Name, Transport: v.Transport, Since: v.Since, LastActive: v.Since,
				Registered: v.Registered, Operator: v.Operator})
		}
	}
	return people
}

// consume delivers the stream's events to h in the stream's order. Those up
// to catchUpTo happened before this node started: history only.
func (l *Link) consume(ctx context.Context, h *hub.Hub, cons jetstream.Consumer, catchUpTo uint64) error {
	msgs, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("cluster: reading the room stream: %w", err)
	}
	caughtUp := l.isReady()
	stop := context.AfterFunc(ctx, msgs.Stop)
	defer stop()
	defer msgs.Stop()
	for {
		msg, err := msgs.Next()
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || ctx.Err() != nil || l.nc.IsClosed() {
				return nil
			}
			l.log.Warn("cluster: reading the room stream", "err", err)
			continue
		}
		meta, err := msg.Metadata()
		if err != nil {
			continue
		}
		var env envelope
		if err := json.Unmarshal(msg.Data(), &env); err != nil {
			l.log.Warn("cluster: an event could not be read", "seq", meta.Sequence.Stream, "err", err)
			continue
		}
		ev := env.event(meta.Sequence.Stream)
		if ev == nil {
			continue // a kind from a newer node
		}
		if ev.Kind == hub.KindModeration {
			l.record(meta.Sequence.Stream, msg.Data())
		}
		l.lastSeq.Store(meta.Sequence.Stream)
		in := hub.Incoming{Event: ev, CatchUp: meta.Sequence.Stream <= catchUpTo}
		if env.Node == l.node {
			in.Serial = env.Serial
			if (ev.Kind == hub.KindJoined && ev.Registered) || ev.Kind == hub.KindAccount {
				l.mark(ev)
			}
		}
		l.keep(ev)
		if err := h.Receive(ctx, []hub.Incoming{in}); err != nil {
			return ignoreStop(err)
		}
		l.received.Add(1)
		if !caughtUp && meta.Sequence.Stream >= catchUpTo {
			caughtUp = true
			close(l.ready) // the node is ready
		}
	}
}

// record keeps a moderation entry, by its ID, where the stream's limit does
// not reach (see recall). Every node that reads the entry writes it, if it
// is not there yet, without waiting: it is kept if any node is alive.
func (l *Link) record(id uint64, data []byte) {
	msg := nats.NewMsg(l.moderationPrefix + strconv.FormatUint(id, 10))
	msg.Data = data
	msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0") // another node's copy stands
	if _, err := l.js.PublishMsgAsync(msg); err != nil {
		l.log.Warn("cluster: keeping a moderation entry failed", "id", id, "err", err)
	}
}

// recall hands h, and this node's History, the moderation entries between
// after and before that the stream has let go: a ban, an operator's
// appointment or the message of the day holds until it ends, however long
// ago it was made, so a node that starts with less history than that must
// still know it.
func (l *Link) recall(ctx context.Context, h *hub.Hub, after, before uint64) error {
	w, err := l.moderation.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("cluster: reading the moderation record: %w", err)
	}
	defer func() { _ = w.Stop() }()
	var entries []hub.Incoming
	for done := false; !done; {
		select {
		case e := <-w.Updates():
			if e == nil {
				done = true // all that was there is in
				continue
			}
			id, err := strconv.ParseUint(e.Key(), 10, 64)
			if err != nil || id <= after || id >= before || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var env envelope
			if json.Unmarshal(e.Value(), &env) != nil {
				continue
			}
			if ev := env.event(id); ev != nil {
				entries = append(entries, hub.Incoming{Event: ev, CatchUp: true})
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if len(entries) == 0 {
		return nil
	}
	slices.SortFunc(entries, func(a, b hub.Incoming) int { return cmp.Compare(a.Event.ID, b.Event.ID) })
	if l.cfg.History != nil {
		events := make([]*hub.Event, len(entries))
		for i, in := range entries {
			events[i] = in.Event
		}
		if err := l.cfg.History.Append(ctx, events); err != nil {
			l.log.Error("history: writing the moderation record failed", "err", err, "entries", len(events))
		}
	}
	l.log.Info("cluster: moderation entries older than the stream recalled", "entries", len(entries))
	l.lastSeq.Store(entries[len(entries)-1].Event.ID)
	return h.Receive(ctx, entries)
}

// watch follows the names bucket: a name this node holds that another node
// now holds has moved there; a name whose entry expired belongs to a node
// that died or lost touch, and its person has left. Every node that sees an
// expiry announces the departure, under one de-duplication ID, so that it
// is announced once whichever nodes are alive.
//
// An expiry is not news at once: a NATS that was down for less than the
// TTL, and came back, expires the names it holds as it starts, and their
// nodes claim them again at once (reclaim). So a departure is announced
// only if the name stays free for lostDelay; a node claims its own names
// again unless it was out of touch for longer than the TTL itself.
//
// When NATS loses the bucket and heal makes it anew, the watcher reads a
// stream that is gone, so watch starts over on the new bucket (see
// rewatched). watch stops its watcher.
func (l *Link) watch(ctx context.Context, h *hub.Hub, w jetstream.KeyWatcher, known map[string]holder) error {
	defer func() {
		if w != nil {
			_ = w.Stop()
		}
	}()
	pending := make(map[string]loss) // expired names, announced at at unless claimed again
	var madeAt time.Time             // when the bucket was made anew, while w is to be made again
	tick := time.NewTicker(lostDelay / 4)
	defer tick.Stop()
	for {
		var updates <-chan jetstream.KeyValueEntry
		if w != nil {
			updates = w.Updates()
		}
		var e jetstream.KeyValueEntry
		select {
		case e = <-updates:
		case madeAt = <-l.rewatch:
			if w != nil {
				_ = w.Stop()
				w = nil
			}
			w, known = l.rewatched(ctx, known, pending, madeAt)
			continue
		case now := <-tick.C:
			if w == nil && !madeAt.IsZero() { // NATS failed us while starting over: try again
				w, known = l.rewatched(ctx, known, pending, madeAt)
			}
			for key, p := range pending {
				if now.After(p.at) {
					delete(pending, key)
					l.announceLost(p.name, p.msgID)
				}
			}
			continue
		case <-ctx.Done():
			return nil
		}
		if e == nil {
			continue
		}
		key := e.Key()
		switch e.Operation() {
		case jetstream.KeyValuePut:
			delete(pending, key)
			var v nameValue
			if json.Unmarshal(e.Value(), &v) != nil {
				continue
			}
			known[key] = holder{v, e.Revision()}
			if v.Node != l.node && l.held(key, true) {
				l.evict(ctx, h, key, hub.ReasonMoved)
			}
		case jetstream.KeyValuePurge: // expired
			was, ok := known[key]
			delete(known, key)
			if held := l.take(key); held != nil {
				if !l.outTooLong() && l.reclaimName(ctx, key, held) {
					continue // still here: nobody is told anything
				}
				l.evict(ctx, h, key, hub.ReasonLost)
			}
			if ok {
				pending[key] = loss{was.Name, fmt.Sprintf("expired-%s-%d", key, e.Revision()), time.Now().Add(lostDelay)}
			}
		case jetstream.KeyValueDelete: // freed by its node, which announced it
			delete(known, key)
			delete(pending, key)
		}
	}
}

// loss is a name that expired or was lost with the bucket: its person's
// departure is announced at at, under msgID, unless it is claimed first.
type loss struct {
	name, msgID string
	at          time.Time
}

// rewatched watches the names bucket heal made anew at madeAt, and returns
// the new watcher (nil if NATS failed; watch tries again) and who holds each
// name now. The nodes that are alive claim their names again as they heal,
// each within a healEvery of the others; a name known before that is still
// free lostDelay after that is a person whose node is gone, and its
// departure is announced as an expired name's is, under an ID every node
// makes alike.
func (l *Link) rewatched(ctx context.Context, known map[string]holder, pending map[string]loss, madeAt time.Time) (jetstream.KeyWatcher, map[string]holder) {
	w, now, err := l.readNames(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.log.Warn("cluster: watching the names again failed; retrying", "err", err)
		}
		return nil, known
	}
	for key, was := range known {
		if _, ok := now[key]; !ok {
			pending[key] = loss{was.Name, fmt.Sprintf("lost-%s-%d", key, madeAt.UnixNano()), time.Now().Add(healEvery + lostDelay)}
		}
	}
	for key := range now {
		delete(pending, key)
	}
	return w, now
}

// lostDelay is how long an expired name must stay free before its person's
// departure is announced: long enough for its node to claim it again after
// NATS came back from a short outage.
const lostDelay = 2 * time.Second

// reclaimName claims again a name of this node's that NATS lost (it expired
// while NATS was away, or NATS lost its store), and reports whether it
// could: nobody took it meanwhile.
func (l *Link) reclaimName(ctx context.Context, key string, held *heldName) bool {
	rev, err := l.names.Create(ctx, key, held.value)
	if err != nil {
		l.log.Warn("cluster: a name NATS had lost could not be claimed again", "key", key, "err", err)
		return false
	}
	l.hold(key, held.value, rev, held.token)
	if err := l.putToken(ctx, held.token); err != nil {
		l.log.Warn("cluster: saving a token again failed", "err", err)
	}
	l.log.Info("cluster: a name NATS had lost is claimed again", "key", key)
	return true
}

func (l *Link) evict(ctx context.Context, h *hub.Hub, key string, reason hub.Reason) {
	if err := h.Evict(ctx, decodeKey(key), reason); err != nil {
		l.log.Debug("cluster: evicting", "err", err)
	}
}

// announceLost publishes the departure of a person whose node is gone.
func (l *Link) announceLost(name, msgID string) {
	ev := &hub.Event{Kind: hub.KindLeft, Time: time.Now(), Name: name, Reason: hub.ReasonLost}
	data, _ := json.Marshal(envelopeOf(ev, l.node, 0))
	select {
	case l.out <- outgoing{data: data, msgID: msgID}:
	default:
		l.log.Warn("cluster: could not queue a lost person's departure", "name", name)
	}
}

// keepAlive rewrites this node's names three times per NameTTL, so that they
// expire only if the node does.
func (l *Link) keepAlive(ctx context.Context) {
	t := time.NewTicker(l.cfg.NameTTL / 3)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		held := l.heldNames()
		for len(held) > 0 && ctx.Err() == nil {
			n := min(len(held), keepAliveBatch)
			l.rewrite(ctx, held[:n])
			held = held[n:]
		}
	}
}

// heldNames is a copy of the names this node holds, to write without the
// lock.
func (l *Link) heldNames() []keptName {
	l.mu.Lock()
	defer l.mu.Unlock()
	held := make([]keptName, 0, len(l.owned))
	for k, h := range l.owned {
		held = append(held, keptName{key: k, heldName: *h})
	}
	return held
}

// keepAliveBatch is how many names are rewritten at once: enough that a
// node with a hundred thousand people rewrites them all in a second or so.
const keepAliveBatch = 1024

type keptName struct {
	key string
	heldName
}

// rewrite rewrites names, and their tokens, pipelined: each name only if
// this node still wrote it last (a compare-and-set on its revision), so a
// name that moved to another node or expired is not taken back.
func (l *Link) rewrite(ctx context.Context, names []keptName) {
	type pending struct {
		name keptName
		ack  jetstream.PubAckFuture
	}
	futures := make([]pending, 0, len(names))
	for _, kn := range names {
		msg := nats.NewMsg(l.namesPrefix + kn.key)
		msg.Data = kn.value
		msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(kn.rev, 10))
		f, err := l.js.PublishMsgAsync(msg)
		if err != nil {
			l.log.Warn("cluster: keeping names alive failed", "err", err)
			break
		}
		futures = append(futures, pending{kn, f})
		if !l.held(kn.key, false) {
			continue // let go meanwhile: its token may have been dropped (freeName)
		}
		data, _ := json.Marshal(kn.token.value)
		_, _ = l.js.PublishAsync(l.tokensPrefix+kn.token.hash, data) // best effort: a token outlives a name
	}
	for _, p := range futures {
		select {
		case ack := <-p.ack.Ok():
			l.mu.Lock()
			if cur := l.owned[p.name.key]; cur != nil && cur.rev == p.name.rev {
				cur.rev = ack.Sequence
			}
			l.mu.Unlock()
		case err := <-p.ack.Err():
			if isWrongLastSequence(err) {
				// Moved or expired: the watcher sees to it.
				l.log.Info("cluster: a name is no longer held here", "key", p.name.key)
			} else {
				l.log.Warn("cluster: keeping a name alive failed", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// publish sends the outbox to NATS in order until ctx is done, and then what
// is left in it for up to FlushTimeout.
func (l *Link) publish(ctx context.Context) {
	// What is under way when ctx ends still gets FlushTimeout to finish.
	opCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(l.cfg.FlushTimeout, cancel) })
	defer stop()
	batch := make([]outgoing, 0, 256)
	for {
		var first outgoing
		select {
		case first = <-l.out:
		case <-ctx.Done():
			l.flush(opCtx)
			return
		}
		batch = append(batch[:0], first)
	more:
		for len(batch) < cap(batch) {
			select {
			case o := <-l.out:
				batch = append(batch, o)
			default:
				break more
			}
		}
		l.send(opCtx, batch)
	}
}

// flush publishes what the outbox holds, until ctx ends.
func (l *Link) flush(ctx context.Context) {
	var batch []outgoing
	for {
		select {
		case o := <-l.out:
			batch = append(batch, o)
			continue
		default:
		}
		break
	}
	l.send(ctx, batch)
	if ctx.Err() != nil {
		l.log.Warn("cluster: stopped before everything was published")
	}
}

// send does batch in order: runs of events are published together, and a
// name is freed only once the events before it are stored.
func (l *Link) send(ctx context.Context, batch []outgoing) {
	for len(batch) > 0 {
		n := 0
		for n < len(batch) && batch[n].free == "" {
			n++
		}
		if n > 0 {
			l.publishEvents(ctx, batch[:n])
			batch = batch[n:]
			continue
		}
		l.freeName(ctx, batch[0])
		batch = batch[1:]
	}
}

// publishEvents publishes events and waits until JetStream has stored them
// all, retrying from the first one that failed. Each has a de-duplication
// ID, so one that was stored although its acknowledgement was lost is not
// stored twice; an attempt is waited out before the next, so that retried
// events keep their order.
func (l *Link) publishEvents(ctx context.Context, events []outgoing) {
	backoff := 100 * time.Millisecond
	for len(events) > 0 {
		futures := make([]jetstream.PubAckFuture, 0, len(events))
		for _, o := range events {
			msg := nats.NewMsg(l.subject)
			msg.Data = o.data
			msg.Header.Set(jetstream.MsgIDHeader, o.msgID)
			f, err := l.js.PublishMsgAsync(msg)
			if err != nil {
				break
			}
			futures = append(futures, f)
		}
		stored := 0
		failed := false
		for _, f := range futures {
			select {
			case <-f.Ok():
				if !failed {
					stored++
				}
			case err := <-f.Err():
				if !failed {
					l.log.Warn("cluster: publishing failed; retrying", "err", err)
				}
				failed = true
			}
		}
		l.published.Add(uint64(stored))
		events = events[stored:]
		if len(events) == 0 {
			return
		}
		l.retries.Add(1)
		select {
		case <-time.After(backoff):
			backoff = min(2*backoff, 2*time.Second)
		case <-ctx.Done():
			l.log.Warn("cluster: events not published", "count", len(events))
			return
		}
	}
}

// freeName deletes a name this node held, unless another node has taken it
// over since, and records a departed person's token for a later resume, or
// deletes the token of one who left for good (first: the name, free, must
// not be resumable in between).
func (l *Link) freeName(ctx context.Context, o outgoing) {
	if o.dropToken {
		l.dropToken(ctx, o.owner, decodeKey(o.free))
	}
	err := l.names.Delete(ctx, o.free, jetstream.LastRevision(o.rev))
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || isWrongLastSequence(err) {
		// Kept alive once more while it was queued, moved, or taken by a
		// newcomer here: delete it only if it is still the one who left.
		var e jetstream.KeyValueEntry
		if e, err = l.names.Get(ctx, o.free); err == nil {
			var v nameValue
			if json.Unmarshal(e.Value(), &v) == nil && v.Node == l.node && v.Token == o.owner {
				err = l.names.Delete(ctx, o.free, jetstream.LastRevision(e.Revision()))
			}
		}
	}
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		l.log.Warn("cluster: freeing a name failed; it expires by itself", "err", err)
	}
	if o.token != nil {
		if err := l.putToken(ctx, *o.token); err != nil {
			l.log.Warn("cluster: saving a departed person's token failed", "err", err)
		}
	}
}

// dropToken deletes the token with hash, if it still stands for the name
// with key (not for a name its person took elsewhere since).
func (l *Link) dropToken(ctx context.Context, hash, key string) {
	e, err := l.tokens.Get(ctx, hash)
	if err == nil {
		var tv tokenValue
		if json.Unmarshal(e.Value(), &tv) != nil || tv.Key != key {
			return
		}
		err = l.tokens.Purge(ctx, hash, jetstream.LastRevision(e.Revision()))
	}
	if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) && !errors.Is(err, jetstream.ErrKeyDeleted) {
		l.log.Warn("cluster: forgetting the token of a person who left failed; it expires by itself", "err", err)
	}
}

func isWrongLastSequence(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// historyQueueLen bounds the entries waiting to be written to this node's
// History. The stream is the room's durable log; History is this node's
// copy of it, for reading. If the writer falls this far behind (the disk is
// failing), newer entries are not copied, and the log says so.
const historyQueueLen = 8192

// historyBatch is the most entries written to History in one transaction.
const historyBatch = 512

// pruneEvery is how many entries pass between two prunes of History.
const pruneEvery = 1000

// keep hands ev to the history writer without waiting.
func (l *Link) keep(ev *hub.Event) {
	if l.cfg.History == nil || !keptKinds[ev.Kind] {
		return
	}
	select {
	case l.history <- ev:
	default:
		l.log.Error("history: the writer is behind; an entry was not copied", "id", ev.ID)
	}
}

// keptKinds are the kinds the history keeps; every kind that travels.
var keptKinds = map[hub.Kind]bool{}

func init() {
	for _, k := range kinds {
		keptKinds[k] = true
	}
}

// writeHistory writes what keep is given to History in batches, until the
// channel is closed.
func (l *Link) writeHistory() {
	ctx := context.Background() // it finishes what it was given
	if l.cfg.History != nil {
		l.prune(ctx)
	}
	batch := make([]*hub.Event, 0, historyBatch)
	written := 0 // since the last prune
	for ev := range l.history {
		batch = append(batch[:0], ev)
	more:
		for len(batch) < historyBatch {
			select {
			case ev, ok := <-l.history:
				if !ok {
					break more
				}
				batch = append(batch, ev)
			default:
				break more
			}
		}
		if err := l.cfg.History.Append(ctx, batch); err != nil {
			l.log.Error("history: writing failed", "err", err, "entries", len(batch))
		}
		if written += len(batch); written >= pruneEvery {
			written = 0
			l.prune(ctx)
		}
	}
}

func (l *Link) prune(ctx context.Context) {
	if n, err := l.cfg.Retention.Prune(ctx, l.cfg.History, time.Now()); err != nil {
		l.log.Error("history: pruning failed", "err", err)
	} else if n > 0 {
		l.log.Info("history: pruned", "entries", n)
	}
}

// healEvery is how often a node checks that NATS still has the room's
// stream: a NATS that comes back with an empty store (a new volume, a wiped
// disk) has lost it, and the names with it.
const healEvery = time.Second

// healGap is how far past the last entry this node saw a stream made anew
// starts numbering. Nodes may have seen slightly different amounts of the
// old stream; starting well past all of them keeps an ID from ever being
// given twice, and the gap costs nothing (IDs are not contiguous anyway).
const healGap = 100_000

// heal sets the stream and the buckets up again when NATS has lost them, and
// claims this node's people's names again, so that the room goes on. Until
// it has, Err says so: /readyz answers 503 and joins are refused.
func (l *Link) heal(ctx context.Context) {
	t := time.NewTicker(healEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		if !l.nc.IsConnected() {
			continue
		}
		// Lost: gone, or made anew by another node that found it gone
		// first (then it was created at another time).
		info, err := l.stream.Info(ctx)
		switch {
		case errors.Is(err, jetstream.ErrStreamNotFound):
		case err == nil && !info.Created.Equal(l.created):
		default:
			continue
		}
		if !l.lost.Swap(true) {
			l.log.Warn("cluster: NATS lost the room's stream and names; setting them up again")
		}
		if err := l.createStore(ctx, l.lastSeq.Load()+healGap); err != nil {
			l.log.Warn("cluster: setting the room's stream up again failed; retrying", "err", err)
			continue
		}
		l.restoreAccounts(ctx)
		l.reclaim(ctx)
		l.rerecord(ctx)
		select {
		case <-l.rewatch: // not taken yet: this one replaces it
		default:
		}
		l.rewatch <- l.created // heal is the only sender: there is room
		l.lost.Store(false)
		l.log.Info("cluster: the room's stream and names are set up again")
	}
}

// rerecord writes this node's copy of the moderation log into the
// moderation bucket NATS lost with its store, so that a node that starts
// later still learns of the bans made before (see recall). Every node that
// heals does; the first copy of each entry stands.
func (l *Link) rerecord(ctx context.Context) {
	if l.cfg.History == nil {
		return
	}
	mods, err := l.cfg.History.Moderation(ctx, 0)
	if err != nil {
		l.log.Warn("cluster: reading the moderation log to keep it again failed", "err", err)
		return
	}
	for _, ev := range mods {
		if data, err := json.Marshal(envelopeOf(ev, l.node, 0)); err == nil {
			l.record(ev.ID, data)
		}
	}
}

// reclaim writes this node's names, and their tokens, into buckets that
// lost them.
func (l *Link) reclaim(ctx context.Context) {
	for _, kn := range l.heldNames() {
		l.reclaimName(ctx, kn.key, &kn.heldName)
	}
}
