package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
)

// SMTPTimeout bounds one conversation with the mail server.
const SMTPTimeout = 30 * time.Second

// enqueueDigest puts one e-mail in the outbox telling a member of their new notifications.
func (s *Service) enqueueDigest(ctx context.Context, tx *db.Tx, org Org, m Member, rs []aims.Reminder, now time.Time) error {
	subject := fmt.Sprintf("[aims] %s: %d new reminders", org.Name, len(rs))
	if len(rs) == 1 {
		subject = fmt.Sprintf("[aims] %s: %s", org.Name, rs[0].Title)
	}
	base := strings.TrimSuffix(s.sources.PublicURL(), "/")
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nThese are due in %s:\n\n", firstNonEmpty(m.Name, m.Email), org.Name)
	for _, r := range rs {
		fmt.Fprintf(&b, "- %s: %s\n  %s, due %s\n", KindLabel(r.Kind), r.Title, r.Ref, r.Due.UTC().Format("2 January 2006"))
		if r.Link != "" {
			fmt.Fprintf(&b, "  %s%s\n", base, r.Link)
		}
	}
	fmt.Fprintf(&b, "\nYour notifications: %s/notifications\n", base)
	b.WriteString("You can turn these e-mails off on that page.\n")
	id := aims.NewID()
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_emails (id, org_id, user_id, recipient, subject, body, message_id, status,
		attempts, last_error, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?)`,
		id, org.ID, m.UserID, m.Email, oneLine(subject, 200), b.String(), "<"+id+"@aims>", StatusPending, now, now)
	return err
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// Message builds an e-mail: headers with the subject encoded and kept to one
// line, so that no text can add a header, and a UTF-8 plain-text body in
// quoted-printable.
func Message(from, to, subject, messageID, body string, date time.Time) ([]byte, error) {
	fromAddr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("sender %q is not an e-mail address: %w", from, err)
	}
	toAddr, err := mail.ParseAddress(to)
	if err != nil {
		return nil, fmt.Errorf("recipient %q is not an e-mail address: %w", to, err)
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("Date", date.UTC().Format(time.RFC1123Z))
	header("Message-ID", oneLine(messageID, 200))
	header("From", fromAddr.String())
	header("To", toAddr.String())
	header("Subject", mime.QEncoding.Encode("utf-8", oneLine(subject, 200)))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// send delivers one message through the mail server.
func send(ctx context.Context, cfg SMTP, to string, msg []byte) error {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dialer := &net.Dialer{Timeout: SMTPTimeout}
	var conn net.Conn
	var err error
	tlsConfig := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.TLS == "tls" {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConfig}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return err
	}
	_ = conn.SetDeadline(time.Now().Add(SMTPTimeout))
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("aims"); err != nil {
		return err
	}
	if cfg.TLS == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the mail server does not offer STARTTLS")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return err
		}
	}
	if cfg.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host)); err != nil {
			return err
		}
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return err
	}
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// claim takes a pending row of table due now for this replica, counting
// the attempt; it reports false when another replica has it or it is done.
func (s *Service) claim(ctx context.Context, table, id string, now time.Time, hold time.Duration) (bool, error) {
	r, err := s.db.ExecContext(ctx, `UPDATE `+table+` SET claimed_until = ?, attempts = attempts + 1
		WHERE id = ? AND status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)`,
		now.Add(hold), id, StatusPending, now, now)
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return n == 1, err
}

// due lists the ids of the pending rows of table whose next attempt has come.
func (s *Service) due(ctx context.Context, table string, now time.Time) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM `+table+` WHERE status = ? AND next_attempt_at <= ?
		AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY next_attempt_at, id LIMIT 500`, StatusPending, now, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Deliver sends the e-mails and webhook deliveries whose time has come,
// each claimed by one replica; failures are retried with backoff and
// recorded as failed after MaxAttempts.
func (s *Service) Deliver(ctx context.Context) error {
	return errors.Join(s.sendEmails(ctx), s.sendDeliveries(ctx))
}

// sendEmails sends the pending e-mails of the outbox.
func (s *Service) sendEmails(ctx context.Context) error {
	cfg := s.sources.SMTP()
	if cfg.Host == "" {
		return nil
	}
	ids, err := s.due(ctx, "notification_emails", s.clock())
	if err != nil {
		return err
	}
	for _, id := range ids {
		now := s.clock()
		ok, err := s.claim(ctx, "notification_emails", id, now, 2*SMTPTimeout)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var to, subject, body, messageID string
		var attempts int
		if err := s.db.QueryRowContext(ctx, `SELECT recipient, subject, body, message_id, attempts FROM notification_emails WHERE id = ?`,
			id).Scan(&to, &subject, &body, &messageID, &attempts); err != nil {
			return err
		}
		msg, err := Message(cfg.From, to, subject, messageID, body, now)
		if err == nil {
			err = send(ctx, cfg, to, msg)
		}
		if err := s.settle(ctx, "notification_emails", id, attempts, 0, err, "sent_at"); err != nil {
			return err
		}
	}
	return nil
}

// settle records the outcome of an attempt: sent, pending again after a
// backoff, or failed after the last attempt.
func (s *Service) settle(ctx context.Context, table, id string, attempts, code int, failure error, doneColumn string) error {
	now := s.clock()
	status, next, msg := StatusSent, now, ""
	var done any = now
	if failure != nil {
		slog.Warn("notification delivery failed", "table", table, "id", id, "attempt", attempts, "err", failure)
		msg, done = oneLine(failure.Error(), 1000), nil
		status, next = StatusPending, now.Add(backoff(attempts))
		if attempts >= MaxAttempts {
			status = StatusFailed
		}
	}
	codeSet := ""
	args := []any{status, msg, next, done}
	if table == "webhook_deliveries" {
		codeSet = ", response_code = ?"
		args = append(args, code)
	}
	args = append(args, id)
	_, err := s.db.ExecContext(ctx, `UPDATE `+table+` SET status = ?, last_error = ?, next_attempt_at = ?, `+doneColumn+` = ?,
		claimed_until = NULL`+codeSet+` WHERE id = ?`, args...)
	return err
}
