package cluster

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// A NATS that comes back with an empty store (see heal) has lost the
// registered names with it, and a name free to register is a name anyone
// can take: an operator's, with whatever -operators says of it. So each
// node keeps a copy of the accounts bucket, following it with a watcher,
// and a node that heals writes the copy back before it lets anyone in.
// Logins are not copied: a browser logs in again.

// copyAccounts follows the accounts bucket into accountsCopy until ctx is
// done, watching it anew when heal has made it anew (recopy).
func (l *Link) copyAccounts(ctx context.Context) {
	for ctx.Err() == nil {
		w, err := l.accounts.accounts.WatchAll(ctx)
		if err != nil {
			if ctx.Err() == nil {
				l.log.Warn("cluster: watching the accounts failed; retrying", "err", err)
			}
			select {
			case <-time.After(healEvery):
			case <-l.recopy:
			case <-ctx.Done():
			}
			continue
		}
		l.followAccounts(ctx, w)
		_ = w.Stop()
	}
}

// followAccounts applies w's updates to the copy until ctx is done or heal
// asks for a new watcher.
func (l *Link) followAccounts(ctx context.Context, w jetstream.KeyWatcher) {
	for {
		select {
		case e := <-w.Updates():
			if e == nil {
				continue // the end of what was there: updates follow
			}
			l.copyMu.Lock()
			if e.Operation() == jetstream.KeyValuePut {
				l.accountsCopy[e.Key()] = e.Value()
			} else {
				delete(l.accountsCopy, e.Key())
			}
			l.copyMu.Unlock()
		case <-l.recopy:
			return
		case <-ctx.Done():
			return
		}
	}
}

// restoreAccounts writes the copy into an accounts bucket that NATS made
// anew, each with a create-if-absent: another node's copy, or an account
// made since, stands. Then the copy follows the new bucket.
func (l *Link) restoreAccounts(ctx context.Context) {
	l.copyMu.Lock()
	kept := make(map[string][]byte, len(l.accountsCopy))
	for k, v := range l.accountsCopy {
		kept[k] = v
	}
	l.copyMu.Unlock()
	// Pipelined, as the keep-alive is: a node with many accounts heals in
	// about a second, not one round trip per account.
	futures := make([]jetstream.PubAckFuture, 0, len(kept))
	for key, value := range kept {
		msg := nats.NewMsg(l.accountsPrefix + key)
		msg.Data = value
		msg.Header.Set(jetstream.ExpectedLastSubjSeqHeader, "0") // create-if-absent
		f, err := l.js.PublishMsgAsync(msg)
		if err != nil {
			l.log.Warn("cluster: writing the accounts back failed", "err", err)
			break
		}
		futures = append(futures, f)
	}
	restored := 0
	for _, f := range futures {
		select {
		case <-f.Ok():
			restored++
		case err := <-f.Err():
			if !isWrongLastSequence(err) { // not: another node's copy, or a newer account, stands
				l.log.Warn("cluster: writing an account back failed", "err", err)
			}
		case <-ctx.Done():
			return
		}
	}
	if restored > 0 {
		l.log.Info("cluster: registered names written back after NATS lost them", "accounts", restored)
	}
	select {
	case l.recopy <- struct{}{}:
	default: // asked already
	}
}
