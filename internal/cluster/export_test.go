package cluster

// AccountsKept is how many accounts the link keeps a copy of, for tests
// to wait for the copy.
func (l *Link) AccountsKept() int {
	l.copyMu.Lock()
	defer l.copyMu.Unlock()
	return len(l.accountsCopy)
}
