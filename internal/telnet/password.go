package telnet

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/anseo/anseo/internal/hub"
	"github.com/anseo/anseo/internal/wording"
)

// Registered names on the line port. A password is asked for on a line of
// its own, never typed where it shows: after the name, for a registered
// name, and for /register and /password, which the line port answers
// itself and never hands to the hub as a line. In line mode the server
// offers to echo (IAC WILL ECHO) and echoes nothing, so the client hides
// what is typed, and withdraws the offer after (IAC WONT ECHO); a client
// that refuses is told the password will show, and still works. In the
// interactive mode the line editor draws nothing of it and keeps it out of
// its history.
//
// A password lives in one local variable from the line read to the hub's
// call, is never logged, and the line buffer that held it is cleared.

// errPasswordTooLong: the password's line was longer than a line may be.
var errPasswordTooLong = errors.New("password line too long")

// askPassword asks for a password with prompt (a "* " line without its
// end) and returns it.
func (cn *conn) askPassword(ctx context.Context, prompt string) (string, error) {
	answers, err := cn.ask(ctx, true, prompt)
	if err != nil {
		return "", err
	}
	return answers[0], nil
}

// ask asks questions in turn, with prompts, and returns the answers; secret
// hides what is typed, from the first prompt to the last answer, so that
// the client is asked to hide it once (each change of a telnet option
// wants its answer before the next). Called by the reader.
func (cn *conn) ask(ctx context.Context, secret bool, prompts ...string) ([]string, error) {
	if cn.term != nil && !cn.term.lineMode {
		answers, err := cn.term.ask(ctx, cn, secret, prompts)
		if !errors.Is(err, errLineMode) {
			return answers, err
		}
		cn.toLineMode() // and ask again, as lines
	}
	if !secret {
		return cn.askLines(prompts, nil)
	}
	prompt := prompts[0]
	cn.opts.onShown = func() { // from inside readLine below
		_ = cn.sendRaw([]byte(crlf + noticePrefix + wording.PasswordShows + crlf + prompt))
	}
	answers, err := cn.askLines(prompts, func(next string) []byte {
		prompt = next
		if cn.opts.inputHidden() {
			// The client showed nothing, not even the line's end: end it.
			return []byte(crlf)
		}
		return nil
	})
	cn.opts.onShown = nil
	show := cn.opts.showInput()
	if len(show) > 0 {
		err = errors.Join(err, cn.sendRaw(show))
	}
	return answers, err
}

// askLines asks each of prompts in turn in line mode, and reads the
// answers; secret, if set, hides what is typed and returns what to send
// once an answer is read, before the next prompt. An answer's line
// buffer is cleared once it is copied.
func (cn *conn) askLines(prompts []string, secret func(next string) []byte) ([]string, error) {
	var answers []string
	for i, prompt := range prompts {
		out := []byte(prompt)
		if secret != nil && i == 0 {
			out = append(out, cn.opts.hideInput()...)
		}
		if err := cn.sendRaw(out); err != nil {
			return nil, err
		}
		line, err := cn.lines.readLine()
		if secret != nil {
			next := ""
			if i+1 < len(prompts) {
				next = prompts[i+1]
			}
			if err := cn.sendRaw(secret(next)); err != nil {
				return nil, err
			}
		}
		if err != nil {
			return nil, err
		}
		answers = append(answers, string(line))
		clear(line)
	}
	return answers, nil
}

// ask, in the interactive mode, asks in the input area: each prompt in
// turn stands in for the usual one, and with secret nothing typed is drawn
// or kept.
func (t *terminal) ask(ctx context.Context, cn *conn, secret bool, prompts []string) ([]string, error) {
	t.editor.secret = secret
	defer func() {
		t.editor.secret = false
		cn.toScreen(func(s *screen) []byte {
			out := s.erase()
			s.ask = ""
			return out
		})
	}()
	var answers []string
	for _, prompt := range prompts {
		cn.toScreen(func(s *screen) []byte {
			out := s.erase()
			s.ask, s.line, s.cursor = prompt, "", 0
			return out
		})
		line, err := t.readLine(ctx, cn)
		if err != nil {
			return nil, err
		}
		answers = append(answers, string(line))
		clear(line)
	}
	return answers, nil
}

// The commands the line port answers itself: they ask for a password.
const (
	cmdRegister   = "register"
	cmdPassword   = "password"
	cmdUnregister = "unregister"
)

// accountCommand returns the command a line is if it is one of those the
// line port answers itself, and whether anything follows it on the line.
func accountCommand(line string) (cmd string, more, ok bool) {
	word, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
	cmd, isCmd := strings.CutPrefix(strings.ToLower(word), "/")
	if !isCmd {
		return "", false, false
	}
	switch cmd {
	case cmdRegister, cmdPassword, cmdUnregister:
		return cmd, strings.TrimSpace(rest) != "", true
	}
	return "", false, false
}

// account runs /register, /password or /unregister for m: it asks what it
// needs on lines of their own, then calls the hub. It returns an error
// only when the connection has ended.
func (cn *conn) account(ctx context.Context, m *hub.Conn, cmd string, more bool) error {
	if more && cmd != cmdUnregister {
		// The password typed on the command's line: never send it
		// anywhere, nor keep it in the line editor's history.
		if cn.term != nil {
			cn.term.editor.forgetLast()
		}
		cn.notify(noticePrefix + wording.Notice(&hub.Event{Kind: hub.KindNotice,
			Notice: &hub.Notice{Kind: hub.NoticeRegisterHow, Command: hub.CommandInfo{Name: cmd}}}))
		return nil
	}
	switch {
	case !cn.srv.hub.KeepsAccounts():
		cn.notify(noticePrefix + wording.AccountError(hub.ErrNoAccounts))
		return nil
	case cmd == cmdRegister && m.Registered():
		cn.notify(noticePrefix + wording.AccountError(hub.ErrAlreadyRegistered))
		return nil
	case cmd != cmdRegister && !m.Registered():
		cn.notify(noticePrefix + wording.AccountError(hub.ErrNotRegistered))
		return nil
	}
	var err error
	switch cmd {
	case cmdRegister, cmdPassword:
		password, ok, aerr := cn.newPassword(ctx)
		if aerr != nil || !ok {
			return aerr
		}
		if cmd == cmdRegister {
			err = m.Register(ctx, password) // the KindAccount event says it is done
		} else if err = m.ChangePassword(ctx, password); err == nil {
			cn.notify(noticePrefix + wording.PasswordChanged)
		}
	case cmdUnregister:
		answers, aerr := cn.ask(ctx, false, noticePrefix+wording.UnregisterConfirm(m.Name()))
		switch {
		case cancelled(aerr), aerr == nil && hub.NameKey(strings.TrimSpace(answers[0])) != hub.NameKey(m.Name()):
			cn.notify(noticePrefix + wording.UnregisterKept)
			return nil
		case aerr != nil:
			return aerr
		}
		err = m.Unregister(ctx) // the KindAccount event says it is done
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cn.notify(noticePrefix + wording.AccountError(err))
	}
	return nil
}

// newPassword asks for a new password twice, and returns it if both are
// the same; not ok if the user gave up or mistyped (and was told so).
func (cn *conn) newPassword(ctx context.Context) (password string, ok bool, _ error) {
	answers, err := cn.ask(ctx, true, noticePrefix+wording.PasswordAsk, noticePrefix+wording.PasswordAgain)
	switch {
	case errors.Is(err, errLineTooLong):
		cn.notify(fmt.Sprintf(noticeTooLong, cn.srv.cfg.MaxLineBytes))
		return "", false, nil
	case cancelled(err):
		return "", false, nil
	case err != nil:
		return "", false, err
	case answers[0] != answers[1]:
		cn.notify(noticePrefix + wording.PasswordsDiffer)
		return "", false, nil
	}
	return answers[0], true, nil
}

// cancelled reports whether the user gave up on a question (Ctrl-D).
func cancelled(err error) bool { return errors.Is(err, errLeave) }
