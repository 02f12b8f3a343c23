package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/anseo/anseo/internal/cluster"
	"github.com/anseo/anseo/internal/history"
	"github.com/anseo/anseo/internal/hub"
)

// adminUsage is how anseo admin is used.
const adminUsage = `Usage: anseo admin op NAME [-db FILE | -nats-url URL]    make a registered name a server operator
       anseo admin deop NAME [-db FILE | -nats-url URL]  make it an operator no longer

It changes the accounts the server keeps: in its history file (-db, as the
server is given it; it may be running) or, with -nats-url, in the cluster's.
The name must be registered (/register) first. The change takes effect when
the person next logs in. docs/moderation.md explains operators.

`

// accountsCloser is the accounts anseo admin changes, and how to let go of
// them.
type accountsCloser interface {
	hub.Accounts
	Close() error
}

// admin is "anseo admin": args are what follows "admin". It says on
// stdout what it did, and returns an error (exit status 1) for a name that
// is not registered or accounts it cannot reach.
func admin(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db, natsURL string
	flags := &flagSet{FlagSet: flag.NewFlagSet("anseo admin", flag.ContinueOnError), getenv: getenv}
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, adminUsage)
		flags.PrintDefaults()
	}
	flags.stringVar(&db, "db", "ANSEO_DB", "./anseo.db", "the server's SQLite history `file`")
	flags.stringVar(&natsURL, "nats-url", "ANSEO_NATS_URL", "", "NATS server `URL` of the cluster, whose accounts every node shares; instead of -db")
	// Flags may come before, between or after the words: anseo admin op
	// alice -db /var/lib/anseo/anseo.db.
	var words []string
	for rest := args; ; {
		if err := flags.Parse(rest); err != nil {
			return err
		}
		if rest = flags.Args(); len(rest) == 0 {
			break
		}
		words, rest = append(words, rest[0]), rest[1:]
	}
	if flags.envErr != nil {
		return flags.envErr
	}
	if len(words) != 2 || (words[0] != "op" && words[0] != "deop") {
		flags.Usage()
		return errors.New("admin: give op NAME or deop NAME")
	}
	op := words[0] == "op"
	name, err := hub.CheckName(words[1])
	if err != nil {
		return fmt.Errorf("admin: %q is not a name: %w", words[1], err)
	}
	key := hub.NameKey(name)

	accounts, err := openAccounts(ctx, db, natsURL)
	if err != nil {
		return err
	}
	defer accounts.Close()
	a, ok, err := accounts.Account(ctx, key)
	if err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	if !ok {
		return fmt.Errorf("admin: %s is not a registered name: only a registered name can be an operator (%s must /register first)", name, name)
	}
	switch {
	case a.Operator == op && op:
		fmt.Fprintf(stdout, "%s is a server operator already.\n", a.Name)
	case a.Operator == op:
		fmt.Fprintf(stdout, "%s is not a server operator: nothing to do.\n", a.Name)
	default:
		a.Operator = op
		if err := accounts.UpdateAccount(ctx, key, a); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		if op {
			fmt.Fprintf(stdout, "%s is now a server operator, from their next login.\n", a.Name)
		} else {
			fmt.Fprintf(stdout, "%s is no longer a server operator, from their next login.\n", a.Name)
		}
	}
	if !op && listed(getenv("ANSEO_OPERATORS"), key) {
		fmt.Fprintf(stdout, "%s is still an operator by ANSEO_OPERATORS: take it out of that list too.\n", a.Name)
	}
	return nil
}

// openAccounts opens the accounts anseo admin changes: the cluster's with
// a NATS URL, or else those in the history file at db.
func openAccounts(ctx context.Context, db, natsURL string) (accountsCloser, error) {
	if natsURL != "" {
		accounts, err := cluster.OpenAccounts(ctx, natsURL)
		if err != nil {
			return nil, fmt.Errorf("admin: -nats-url: %w", err)
		}
		return accounts, nil
	}
	accounts, err := history.OpenAccounts(ctx, db)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("admin: -db %s: there is no such file: give the -db the server runs with", db)
	}
	if err != nil {
		return nil, fmt.Errorf("admin: -db: %w", err)
	}
	return accounts, nil
}

// listed reports whether the comma-separated names in list include the
// name with key.
func listed(list, key string) bool {
	for name := range strings.SplitSeq(list, ",") {
		if hub.NameKey(strings.TrimSpace(name)) == key {
			return true
		}
	}
	return false
}
