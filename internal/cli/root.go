// Package cli is aims' command tree. Administrative commands (serve,
// migrate, user, token, audit) work directly on the database named by
// --data-dir or --database; everyday commands (system) talk to a server.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/app"
	"github.com/aims-dev/aims/internal/config"
	"github.com/spf13/cobra"
)

// Version is set at build time with -ldflags "-X github.com/aims-dev/aims/internal/cli.Version=v1.2.3".
var Version = ""

// env is the environment the commands read; tests replace it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// Main runs the command line with args and returns the process exit code.
func Main(args []string) int {
	return run(context.Background(), args, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
}

// exitError carries an exit code for failures that have already been reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(ctx context.Context, args []string, e env) int {
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	printError(e.stderr, err)
	return 1
}

// printError explains an error, with each invalid field on its own line.
func printError(w io.Writer, err error) {
	var ae *aims.Error
	if errors.As(err, &ae) && len(ae.Fields) > 0 {
		// The fields follow, one a line, so print the message without them,
		// keeping whatever context wraps it.
		whole, own := err.Error(), ae.Error()
		msg := strings.Replace(whole, own, ae.Message, 1)
		fmt.Fprintf(w, "error: %s\n", msg)
		for _, f := range ae.Fields {
			fmt.Fprintf(w, "  %s: %s\n", f.Field, f.Message)
		}
		return
	}
	fmt.Fprintf(w, "error: %v\n", err)
}

func newRoot(e env) *cobra.Command {
	root := &cobra.Command{
		Use:   "aims",
		Short: "aims: an AI management system for ISO/IEC 42001",
		Long: `aims governs an organisation's AI: the inventory of AI systems, their risks and
changes, and a verifiable audit log of every change, for ISO/IEC 42001.

Start the server with 'aims serve' and open http://localhost:8080.
Settings come from flags, AIMS_* environment variables and an optional file
(--config or AIMS_CONFIG), in that order; 'aims config' shows them.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.PersistentFlags().String("config", "", "file of AIMS_NAME=value lines (env AIMS_CONFIG)")
	root.AddCommand(newServe(e), newMigrate(e), newConfig(e), newUser(e), newToken(e), newAudit(e), newSystem(e),
		newCatalog(e), newSoA(e), newEvidence(e), newReadiness(e), newRisk(e), newImpact(e), newDataset(e), newModel(e), newLifecycle(e), newChange(e),
		newData(e), newSupplier(e), newRACI(e), newResource(e), newAIBOM(e),
		newDocument(e), newContext(e), newPeople(e), newConcern(e), newObjective(e), newIncident(e), newNonconformity(e), newInternalAudit(e), newReview(e), newNotification(e),
		newDecisions(e), newReceipt(e), newMonitor(e))
	return root
}

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// adminFlags are the flags that name the database, on every administrative command.
var adminFlags = []string{"data-dir", "database", "log-key-file", "log-format", "log-level"}

// loadConfig reads the configuration for a command and sets up logging.
func loadConfig(cmd *cobra.Command, e env) (*config.Config, error) {
	cfg, err := config.Load(cmd.Flags(), e.getenv)
	if err != nil {
		return nil, err
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(e.stderr, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(e.stderr, opts)
	}
	slog.SetDefault(slog.New(h))
	return cfg, nil
}

// openApp opens the configured installation for an administrative command.
func openApp(cmd *cobra.Command, e env, signing bool) (*app.App, error) {
	cfg, err := loadConfig(cmd, e)
	if err != nil {
		return nil, err
	}
	return app.Open(cmd.Context(), cfg, signing)
}

// systemActor is the actor of administrative commands: the operating-system
// user on this host, who has direct access to the database.
func systemActor() *aims.Actor {
	user := os.Getenv("USER")
	if user == "" {
		user = "unknown"
	}
	host, _ := os.Hostname()
	return &aims.Actor{Kind: aims.ActorSystem, Name: "cli:" + user + "@" + host}
}
