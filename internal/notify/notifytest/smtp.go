// Package notifytest gives tests of reminders a small SMTP server that
// records what it receives.
package notifytest

import (
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/notify"
)

// Message is one message the test mail server received: its envelope and its data, dot-stuffing undone and lines ending in LF.
type Message struct {
	From string
	To   []string
	Data string
}

// SMTPServer is a small SMTP server for tests: it speaks EHLO/HELO, MAIL,
// RCPT, DATA, RSET, NOOP and QUIT, and records every message. With refuse
// set, it answers RCPT with a permanent failure.
type SMTPServer struct {
	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	refuse   bool
}

// StartSMTP starts a test mail server on a free port of this machine.
func StartSMTP(t *testing.T) *SMTPServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTPServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

// Settings are the notify settings that send to this server.
func (s *SMTPServer) Settings() notify.SMTP {
	return notify.SMTP{Host: "127.0.0.1", Port: s.Port(), From: "aims <aims@acme.example>", TLS: "none"}
}

// Refuse makes RCPT fail with a permanent error while on is true.
func (s *SMTPServer) Refuse(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = on
}

// Port is the port the server listens on, on 127.0.0.1.
func (s *SMTPServer) Port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// Received lists the messages received so far.
func (s *SMTPServer) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	reply := func(code int, msg string) { _ = tp.PrintfLine("%d %s", code, msg) }
	reply(220, "test.example ESMTP ready")
	var cur Message
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			_ = tp.PrintfLine("250-test.example greets %s", arg)
			_ = tp.PrintfLine("250 8BITMIME")
		case "HELO":
			reply(250, "test.example")
		case "MAIL":
			cur = Message{From: envelopeAddress(arg)}
			reply(250, "OK")
		case "RCPT":
			s.mu.Lock()
			refuse := s.refuse
			s.mu.Unlock()
			if refuse {
				reply(550, "no such mailbox")
				continue
			}
			cur.To = append(cur.To, envelopeAddress(arg))
			reply(250, "OK")
		case "DATA":
			reply(354, "end with <CRLF>.<CRLF>")
			b, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(b)
			s.mu.Lock()
			s.messages = append(s.messages, cur)
			s.mu.Unlock()
			reply(250, "queued")
		case "RSET":
			cur = Message{}
			reply(250, "OK")
		case "NOOP":
			reply(250, "OK")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "not implemented")
		}
	}
}

// envelopeAddress is the address of a MAIL FROM:<a> or RCPT TO:<a> argument, without parameters.
func envelopeAddress(arg string) string {
	_, rest, _ := strings.Cut(arg, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
