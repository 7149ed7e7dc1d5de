package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/app"
	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/identity"
	"github.com/spf13/cobra"
)

func newServe(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web UI and the JSON API",
		Long: `Serve the web UI and the JSON API on one port. Without configuration aims keeps
everything in SQLite under ./aims-data; give --database postgres://… to use
PostgreSQL. Migrations run at start. SIGTERM or Ctrl-C drains requests and
exits cleanly.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			a, err := app.Open(ctx, cfg, true)
			if err != nil {
				return err
			}
			defer a.Close()
			ln, err := net.Listen("tcp", cfg.Addr)
			if err != nil {
				return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
			}
			if setup, _ := a.Identity.NeedsSetup(ctx); setup {
				fmt.Fprintf(e.stderr, "aims has no users yet: open %s to create the first organisation and its owner\n", localURL(cfg, ln))
			}
			return app.NewServer(a).Run(ctx, ln)
		},
	}
	config.AddServerFlags(cmd.Flags())
	return cmd
}

// localURL is where a person on this machine reaches the server.
func localURL(cfg *config.Config, ln net.Listener) string {
	if cfg.PublicURL != "" {
		return cfg.PublicURL
	}
	scheme := "http"
	if cfg.TLSCertFile != "" {
		scheme = "https"
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return fmt.Sprintf("%s://localhost:%s/", scheme, port)
}

func newMigrate(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply pending database migrations",
		Long:  "Apply pending database migrations. 'aims serve' does this at start too; it is safe while a server runs.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd, e)
			if err != nil {
				return err
			}
			a, err := app.Open(cmd.Context(), cfg, false)
			if err != nil {
				return err
			}
			defer a.Close()
			fmt.Fprintf(e.stdout, "%s is up to date\n", a.DB.Location)
			return nil
		},
	}
	config.AddServerFlags(cmd.Flags(), adminFlags...)
	return cmd
}

func newConfig(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective configuration, secrets redacted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cmd.Flags(), e.getenv)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
			for _, row := range cfg.Redacted() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", row[0], row[1], row[2])
			}
			return tw.Flush()
		},
	}
	config.AddServerFlags(cmd.Flags())
	config.AddClientFlags(cmd.Flags())
	return cmd
}

func newUser(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Create users and set passwords (administrative)"}
	var org, email, name, role string
	var passwordStdin bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user and give them a role in an organisation",
		Long: `Create a user with a role in an organisation, creating the organisation if it
does not exist. On a new installation this makes the first owner:

  aims user create --org "Acme" --email ada@example.org --role owner --password-stdin

A new user needs a password (read from standard input with --password-stdin);
an existing user is only given the role.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var password string
			if passwordStdin {
				p, err := readPassword(e.stdin)
				if err != nil {
					return err
				}
				password = p
			}
			a, err := openApp(cmd, e, false)
			if err != nil {
				return err
			}
			defer a.Close()
			res, err := a.Identity.CreateUser(cmd.Context(), systemActor(), identity.CreateUserRequest{
				Org: org, Email: email, Name: name, Role: aims.Role(role), Password: password})
			if err != nil {
				return err
			}
			if res.OrgCreated {
				fmt.Fprintf(e.stdout, "created organisation %q\n", res.Org.Name)
			}
			fmt.Fprintf(e.stdout, "%s is %s of %q\n", res.User.Email, role, res.Org.Name)
			return nil
		},
	}
	create.Flags().StringVar(&org, "org", "", "organisation name (created if it does not exist)")
	create.Flags().StringVar(&email, "email", "", "the person's email address")
	create.Flags().StringVar(&name, "name", "", "the person's name (default: the part of the email before @)")
	create.Flags().StringVar(&role, "role", "", "owner, manager, contributor, auditor or viewer")
	create.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the new user's password from standard input")
	for _, f := range []string{"org", "email", "role"} {
		_ = create.MarkFlagRequired(f)
	}
	_ = create.RegisterFlagCompletionFunc("role", fixedCompletion(roleNames()...))
	config.AddServerFlags(create.Flags(), adminFlags...)

	var pwEmail string
	password := &cobra.Command{
		Use:   "password",
		Short: "Set a user's password (account recovery)",
		Long:  "Set a user's password, read from standard input. The change is recorded in the audit log of each of the user's organisations.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := readPassword(e.stdin)
			if err != nil {
				return err
			}
			a, err := openApp(cmd, e, false)
			if err != nil {
				return err
			}
			defer a.Close()
			if err := a.Identity.SetPassword(cmd.Context(), systemActor(), pwEmail, p); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "password of %s changed\n", pwEmail)
			return nil
		},
	}
	password.Flags().StringVar(&pwEmail, "email", "", "the user's email address")
	_ = password.MarkFlagRequired("email")
	config.AddServerFlags(password.Flags(), adminFlags...)
	cmd.AddCommand(create, password)
	return cmd
}

// readPassword reads the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("cannot read the password from standard input: %w", err)
	}
	p := strings.TrimRight(line, "\r\n")
	if p == "" {
		return "", errors.New("no password on standard input")
	}
	return p, nil
}

func roleNames() []string {
	out := make([]string, len(aims.Roles))
	for i, r := range aims.Roles {
		out[i] = string(r)
	}
	return out
}

func newToken(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "token", Short: "Create API tokens (administrative)"}
	var email, name, expires, org, system string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an API token for a user",
		Long: `Create an API token that acts as the user, with their role, in one of their
organisations. The token is printed once; store it in a secret manager and
use it as AIMS_TOKEN or Authorization: Bearer.

With --system SYS-1 the token may only record that AI system's decisions and
outcomes (aims decisions push, POST /api/v1/systems/SYS-1/decisions); every
other request with it is refused. The user's role must allow writing
decisions (owner, manager or contributor).`,
		Example: `  aims token create --email ada@example.org --name "CI pipeline" --expires 30d
  aims token create --email ada@example.org --name "scoring service" --system SYS-1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a, err := openApp(cmd, e, false)
			if err != nil {
				return err
			}
			defer a.Close()
			req := identity.CreateTokenRequest{Name: name, Expires: expires}
			var secret string
			var t *identity.Token
			if system == "" {
				secret, t, err = a.Identity.CreateTokenFor(cmd.Context(), systemActor(), email, org, req)
			} else {
				resolve := func(ctx context.Context, orgID string) (string, string, error) {
					sys, err := a.Systems.Lookup(ctx, orgID, system)
					if err != nil {
						return "", "", err
					}
					system = sys.Ref
					return sys.ID, sys.Ref, nil
				}
				secret, t, err = a.Identity.CreateSystemTokenFor(cmd.Context(), systemActor(), email, org, resolve, req)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, secret)
			exp := "never"
			if t.ExpiresAt != nil {
				exp = t.ExpiresAt.Format("2006-01-02 15:04 MST")
			}
			scope := ""
			if t.SystemID != "" {
				scope = ", may only write the decisions of " + system
			}
			fmt.Fprintf(e.stderr, "token %q for %s%s, expires %s; it is shown only this once\n", t.Name, email, scope, exp)
			return nil
		},
	}
	create.Flags().StringVar(&email, "email", "", "the user the token acts as")
	create.Flags().StringVar(&name, "name", "", "what the token is for, such as 'CI pipeline'")
	create.Flags().StringVar(&expires, "expires", "90d", "lifetime such as 30d, 12h or never")
	create.Flags().StringVar(&org, "org", "", "organisation (needed when the user has several)")
	create.Flags().StringVar(&system, "system", "", "AI system, such as SYS-1, whose decisions alone the token may write")
	_ = create.MarkFlagRequired("email")
	_ = create.MarkFlagRequired("name")
	_ = create.RegisterFlagCompletionFunc("expires", fixedCompletion("30d", "90d", "365d", "never"))
	config.AddServerFlags(create.Flags(), adminFlags...)
	cmd.AddCommand(create)
	return cmd
}

// fixedCompletion completes a flag from a fixed list of values.
func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
