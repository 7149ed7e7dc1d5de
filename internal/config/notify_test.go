package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aims-dev/aims/internal/config"
)

func TestMailSettings(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "smtp-password")
	if err := os.WriteFile(secret, []byte("s3cret-pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AIMS_SMTP_HOST": "mail.example.org", "AIMS_SMTP_PORT": "465", "AIMS_SMTP_TLS": "tls",
		"AIMS_SMTP_USERNAME": "aims", "AIMS_SMTP_PASSWORD_FILE": secret, "AIMS_SMTP_FROM": "aims <aims@example.org>",
		"AIMS_REMINDER_INTERVAL": "5m"}
	c, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPHost != "mail.example.org" || c.SMTPPort != 465 || c.SMTPTLS != "tls" || c.SMTPUsername != "aims" ||
		c.SMTPPassword != "s3cret-pw" || c.SMTPFrom != "aims <aims@example.org>" || c.ReminderInterval != 5*time.Minute {
		t.Errorf("mail settings: %+v", c)
	}
	for _, row := range c.Redacted() {
		if strings.Contains(row[1], "s3cret") {
			t.Errorf("redacted configuration shows the SMTP password: %v", row)
		}
		if row[0] == "AIMS_SMTP_PASSWORD" && (row[1] != "REDACTED" || row[2] != "env") {
			t.Errorf("password row %v", row)
		}
	}
}

func TestMailDefaults(t *testing.T) {
	c, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPHost != "" || c.SMTPPort != 587 || c.SMTPTLS != "starttls" || c.ReminderInterval != 15*time.Minute {
		t.Errorf("mail defaults: %+v", c)
	}
	c, err = config.Load(nil, func(k string) string { return map[string]string{"AIMS_REMINDER_INTERVAL": "0"}[k] })
	if err != nil || c.ReminderInterval != 0 {
		t.Errorf("a zero interval must turn reminders off: %v %v", c, err)
	}
}

func TestInvalidMailSettingsAreNamed(t *testing.T) {
	env := map[string]string{"AIMS_SMTP_PORT": "99999"}
	_, err := config.Load(nil, func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "smtp-port (AIMS_SMTP_PORT from env)") {
		t.Errorf("bad port: %v", err)
	}
	env = map[string]string{"AIMS_SMTP_HOST": "mail.example.org", "AIMS_SMTP_FROM": "not an address", "AIMS_SMTP_TLS": "ssl",
		"AIMS_SMTP_USERNAME": "aims", "AIMS_REMINDER_INTERVAL": "10ms"}
	_, err = config.Load(nil, func(k string) string { return env[k] })
	for _, want := range []string{"AIMS_SMTP_FROM", "AIMS_SMTP_TLS", "smtp-username and smtp-password", "AIMS_REMINDER_INTERVAL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}
}
