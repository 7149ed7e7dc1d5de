package config

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"time"
)

// SMTP TLS modes: none (plain, for a relay on the same machine or network),
// starttls (upgrade a plain connection; refused if the server does not
// offer it) and tls (TLS from the first byte, usually port 465).
var smtpTLSModes = []string{"none", "starttls", "tls"}

func init() {
	add := func(name, env, def, help string, secret bool, set func(*Config, string) error, get func(*Config) string) {
		Settings = append(Settings, setting(name, env, def, help, secret, false, set, get))
	}
	set, get := str(func(c *Config) *string { return &c.SMTPHost })
	add("smtp-host", "AIMS_SMTP_HOST", "", "mail server that sends reminder e-mails; empty sends none", false, set, get)
	add("smtp-port", "AIMS_SMTP_PORT", "587", "port of the mail server", false,
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 65535 {
				return fmt.Errorf("want a port number from 1 to 65535")
			}
			c.SMTPPort = n
			return nil
		}, func(c *Config) string { return strconv.Itoa(c.SMTPPort) })
	set, get = str(func(c *Config) *string { return &c.SMTPUsername })
	add("smtp-username", "AIMS_SMTP_USERNAME", "", "user name for the mail server; empty to send without signing in", false, set, get)
	set, get = str(func(c *Config) *string { return &c.SMTPPassword })
	add("smtp-password", "AIMS_SMTP_PASSWORD", "", "password for the mail server", true, set, get)
	set, get = str(func(c *Config) *string { return &c.SMTPFrom })
	add("smtp-from", "AIMS_SMTP_FROM", "", "sender of reminder e-mails, such as aims <aims@example.org>", false, set, get)
	set, get = str(func(c *Config) *string { return &c.SMTPTLS })
	add("smtp-tls", "AIMS_SMTP_TLS", "starttls", "none, starttls or tls", false, set, get)
	set, get = dur(func(c *Config) *time.Duration { return &c.ReminderInterval })
	add("reminder-interval", "AIMS_REMINDER_INTERVAL", "15m", "how often reminders are gathered and sent; 0 turns it off", false, set, get)
}

// validateMail checks the SMTP and reminder settings.
func (c *Config) validateMail() []error {
	var errs []error
	if !contains(smtpTLSModes, c.SMTPTLS) {
		errs = append(errs, errors.New("smtp-tls (AIMS_SMTP_TLS) must be none, starttls or tls"))
	}
	if c.SMTPHost != "" {
		if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address == "" {
			errs = append(errs, errors.New("smtp-from (AIMS_SMTP_FROM) must be an e-mail address such as aims@example.org when smtp-host is set"))
		}
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		errs = append(errs, errors.New("smtp-username and smtp-password (AIMS_SMTP_PASSWORD or AIMS_SMTP_PASSWORD_FILE) must be given together"))
	}
	if c.ReminderInterval != 0 && c.ReminderInterval < time.Second {
		errs = append(errs, errors.New("reminder-interval (AIMS_REMINDER_INTERVAL) must be 0 or at least 1s"))
	}
	return errs
}
