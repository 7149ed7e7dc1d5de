package notify_test

import (
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/db"
	"github.com/aims-dev/aims/internal/dbtest"
	"github.com/aims-dev/aims/internal/notify"
	"github.com/aims-dev/aims/internal/notify/notifytest"
	"github.com/aims-dev/aims/internal/servicetest"
)

func TestEmailDigestArrives(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mail := notifytest.StartSMTP(t)
		e.fakes.smtp = mail.Settings()
		// The manager turns e-mail off; the owner keeps it.
		if _, err := e.svc.SetPreferences(e.ctx, e.manager(), notify.PreferencesRequest{Email: false}); err != nil {
			t.Fatal(err)
		}
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"))
		if r := e.sweep(t); r.Emails != 1 {
			t.Fatalf("queued %d e-mails, want 1", r.Emails)
		}
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		got := mail.Received()
		if len(got) != 1 {
			t.Fatalf("the mail server received %d messages, want 1", len(got))
		}
		m := got[0]
		if m.From != "aims@acme.example" || len(m.To) != 1 || m.To[0] != "owner@acme.example" {
			t.Errorf("envelope from %q to %v", m.From, m.To)
		}
		h, body := parseMail(t, m.Data)
		subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
		if err != nil || subject != "[aims] Acme Ltd: EV-1 Model card is valid until 2026-03-20" {
			t.Errorf("subject %q (%v)", subject, err)
		}
		if h.Get("To") != "<owner@acme.example>" || h.Get("From") != `"aims" <aims@acme.example>` ||
			h.Get("Content-Type") != "text/plain; charset=UTF-8" || h.Get("MIME-Version") != "1.0" ||
			!strings.HasSuffix(h.Get("Message-ID"), "@aims>") {
			t.Errorf("headers %v", h)
		}
		if date, err := time.Parse(time.RFC1123Z, h.Get("Date")); err != nil || !date.Equal(t0) {
			t.Errorf("Date %q, want the clock's time", h.Get("Date"))
		}
		if !strings.Contains(body, "https://aims.example.org/evidence/EV-1") || !strings.Contains(body, "due 20 March 2026") {
			t.Errorf("body %q", body)
		}
		if n := servicetest.Count(t, d, `SELECT count(*) FROM notification_emails WHERE status = 'sent' AND attempts = 1`); n != 1 {
			t.Errorf("%d e-mails recorded as sent after one attempt, want 1", n)
		}
		// Sweeping and delivering again sends nothing more.
		e.sweep(t)
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(mail.Received()); n != 1 {
			t.Errorf("the server has %d messages after a second sweep", n)
		}
	})
}

func TestEmailDigestOfSeveral(t *testing.T) {
	e := newEnv(t, dbtest.New(t, db.SQLite))
	mail := notifytest.StartSMTP(t)
	e.fakes.smtp = mail.Settings()
	e.remind(e.org, evidenceDue("EV-1", "2026-03-20"), evidenceDue("EV-2", "2026-03-21"),
		aims.Reminder{Key: "x", Kind: aims.ReminderReviewDue, Ref: "RISK-1", Title: "Wrong\r\nBcc: victim@evil.example", Due: t0})
	e.sweep(t)
	if err := e.svc.Deliver(e.ctx); err != nil {
		t.Fatal(err)
	}
	got := mail.Received()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want one each for the owner and the manager", len(got))
	}
	for _, m := range got {
		h, body := parseMail(t, m.Data)
		if h.Get("Subject") != "[aims] Acme Ltd: 3 new reminders" || h.Get("Bcc") != "" {
			t.Errorf("headers %v", h)
		}
		if !strings.Contains(body, "EV-1") || !strings.Contains(body, "EV-2") || !strings.Contains(body, "Wrong Bcc: victim@evil.example") {
			t.Errorf("body %q", body)
		}
	}
}

func TestMessageKeepsTitlesOutOfHeaders(t *testing.T) {
	msg, err := notify.Message("aims@acme.example", "owner@acme.example", "Due\r\nBcc: x@evil.example\nX-Evil: 1",
		"<1@aims>", "Ünïcode body line that is rather long "+strings.Repeat("x", 100), t0)
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := strings.Cut(string(msg), "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(line, "Bcc:") || strings.HasPrefix(line, "X-Evil:") {
			t.Errorf("a title made the header %q", line)
		}
	}
	for _, bad := range []string{"not an address", "a@b.example\r\nBcc: c@d.example"} {
		if _, err := notify.Message("aims@acme.example", bad, "s", "<1@aims>", "b", t0); err == nil {
			t.Errorf("recipient %q accepted", bad)
		}
	}
}

func TestFailingEmailIsRetriedThenFailed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		mail := notifytest.StartSMTP(t)
		mail.Refuse(true)
		e.fakes.smtp = mail.Settings()
		if _, err := e.svc.SetPreferences(e.ctx, e.manager(), notify.PreferencesRequest{Email: false}); err != nil {
			t.Fatal(err)
		}
		e.remind(e.org, evidenceDue("EV-1", "2026-03-20"))
		e.sweep(t)
		// Backoff: 1, 2, 4 and 8 minutes between the five attempts.
		for i, wait := range []time.Duration{0, time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute} {
			e.clock.Advance(wait)
			if err := e.svc.Deliver(e.ctx); err != nil {
				t.Fatal(err)
			}
			// Too early: a second delivery at the same moment attempts nothing.
			if err := e.svc.Deliver(e.ctx); err != nil {
				t.Fatal(err)
			}
			want := "pending"
			if i == notify.MaxAttempts-1 {
				want = "failed"
			}
			rows := servicetest.RowsOf(t, d, `SELECT status, attempts FROM notification_emails`)
			if len(rows) != 1 || rows[0] != "status="+want+" attempts="+string(rune('1'+i)) {
				t.Errorf("after attempt %d: %v, want %s", i+1, rows, want)
			}
		}
		var lastError string
		if err := d.QueryRowContext(e.ctx, `SELECT last_error FROM notification_emails`).Scan(&lastError); err != nil || !strings.Contains(lastError, "550") {
			t.Errorf("last error %q (%v)", lastError, err)
		}
		e.clock.Advance(24 * time.Hour)
		if err := e.svc.Deliver(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n := servicetest.Count(t, d, `SELECT attempts FROM notification_emails`); n != notify.MaxAttempts {
			t.Errorf("a failed e-mail was tried again: %d attempts", n)
		}
	})
}
