package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/lifecycle"
	"github.com/spf13/cobra"
)

// newLifecycle is the group of life-cycle commands.
func newLifecycle(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lifecycle",
		Short: "Stage gates and moves of AI systems between life-cycle stages (talks to a server)",
		Long: `The life cycle of ISO/IEC 42001 A.6: what a move into each stage needs (the
organisation's stage gates), requests to move a system into another stage with
the checks evaluated against the gate, and their approval, refusal or an
owner's justified override. Change requests are 'aims change'.
These commands talk to an aims server (--server or AIMS_SERVER) with an API
token (--token or AIMS_TOKEN). Each decision reads the request's current version itself.`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newLifecycleGates(e), newLifecycleMove(e), newLifecycleRequests(e), newLifecycleShow(e),
		newLifecycleDecide(e, "approve"), newLifecycleDecide(e, "refuse"), newLifecycleDecide(e, "withdraw"))
	return cmd
}

// stageValues are the stages as completions.
func stageValues() []string {
	out := make([]string, len(lifecycle.Stages))
	for i, o := range lifecycle.Stages {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

func newLifecycleGates(e env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "gates [show | set FILE]",
		Short: "Show or set what a move into each stage needs",
		Long: `Without arguments or with 'show', prints each stage's requirements. 'set FILE'
replaces them all (a stage left out needs nothing; FILE '-' reads standard
input). FILE is either the JSON that 'gates show -o json' prints, or lines of
the form

  deployment: approved_model_version, vv_record, approved_impact_assessment
  retirement: retirement_plan
  operation_and_monitoring: evidence:A.6.2.6, risks_assessed

Kinds: approved_model_version, vv_record, approved_impact_assessment,
risks_assessed, retirement_plan (retirement only), evidence:CONTROL.
Setting the gates needs an owner or manager.`,
		Example: "  aims lifecycle gates\n  aims lifecycle gates set gates.txt\n  aims lifecycle gates show -o json > gates.json",
		Args:    cobra.MaximumNArgs(2),
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return []string{"show", "set"}, cobra.ShellCompDirectiveNoFileComp
			}
			return nil, cobra.ShellCompDirectiveDefault
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			switch {
			case len(args) == 0 || (len(args) == 1 && args[0] == "show"):
			case len(args) == 2 && args[0] == "set":
			default:
				return fmt.Errorf("use 'aims lifecycle gates show' or 'aims lifecycle gates set FILE'")
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var g lifecycle.Gates
			if err := c.do(cmd.Context(), "GET", "/api/v1/lifecycle/gates", nil, &g); err != nil {
				return err
			}
			if len(args) == 2 {
				data, err := readInput(e, args[1])
				if err != nil {
					return err
				}
				gates, err := parseGates(data)
				if err != nil {
					return fmt.Errorf("%s: %w", args[1], err)
				}
				if err := c.do(cmd.Context(), "PUT", "/api/v1/lifecycle/gates", lifecycle.GatesRequest{Version: g.Version, Gates: gates}, &g); err != nil {
					return err
				}
				if output == "table" {
					fmt.Fprintf(e.stderr, "stage gates set: version %d\n", g.Version)
				}
			}
			if output == "json" {
				return writeJSON(e.stdout, g)
			}
			return printGates(e.stdout, &g)
		},
	}
	addOutputFlag(cmd, &output)
	return cmd
}

// readInput reads a named file, or standard input for "-".
func readInput(e env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	return os.ReadFile(name)
}

// parseGates reads gates as JSON ({"gates": [...]}) or as lines "stage: kind, kind".
func parseGates(data []byte) ([]lifecycle.Gate, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		var g lifecycle.GatesRequest
		if err := json.Unmarshal(t, &g); err != nil {
			return nil, fmt.Errorf("not valid JSON: %w", err)
		}
		return g.Gates, nil
	}
	gates := []lifecycle.Gate{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		stage, list, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: write it as stage: requirement, requirement", n+1)
		}
		g := lifecycle.Gate{Stage: strings.TrimSpace(stage), Requirements: []lifecycle.Requirement{}}
		for _, r := range strings.Split(list, ",") {
			if r = strings.TrimSpace(r); r != "" {
				g.Requirements = append(g.Requirements, lifecycle.ParseRequirement(r))
			}
		}
		gates = append(gates, g)
	}
	return gates, nil
}

// printGates writes each stage's requirements, as 'gates set' reads them.
func printGates(w io.Writer, g *lifecycle.Gates) error {
	if g.Default {
		fmt.Fprintln(w, "# the defaults: the organisation has not set its own stage gates")
	} else {
		fmt.Fprintf(w, "# version %d, set by %s\n", g.Version, g.UpdatedByName)
	}
	for _, x := range g.Gates {
		var reqs []string
		for _, r := range x.Requirements {
			reqs = append(reqs, r.String())
		}
		fmt.Fprintf(w, "%s: %s\n", x.Stage, strings.Join(reqs, ", "))
	}
	fmt.Fprintln(w, "# every move also needs: no review due after an approved significant change")
	return nil
}

func newLifecycleMove(e env) *cobra.Command {
	var req lifecycle.StageRequestCreate
	var output string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "move SYSTEM --to STAGE --reason TEXT [--plan TEXT]",
		Short: "Request a move of an AI system to another stage, and print its checks",
		Long: `Requests the move and prints each requirement of the stage's gate, met or
missing and why. When something is missing the request stays open for a
decision, and the command exits 1 naming what is missing. With --dry-run it
only prints the checks. A move into retirement needs --plan: what happens to
the data, the models and the users, and who is told.`,
		Example: `  aims lifecycle move SYS-1 --to deployment --reason "Validated on the 2026 data"
  aims lifecycle move SYS-1 --to retirement --reason "Replaced by SYS-4" --plan "Delete data after 30 days; …"
  aims lifecycle move SYS-1 --to deployment --dry-run`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: systemCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			sys := url.PathEscape(args[0])
			var checks *lifecycle.Checks
			if dryRun {
				v := url.Values{"to": {req.To}}
				if req.Plan != "" {
					v.Set("plan", req.Plan)
				}
				checks = &lifecycle.Checks{}
				if err := c.do(cmd.Context(), "GET", "/api/v1/systems/"+sys+"/stage-checks?"+v.Encode(), nil, checks); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, checks)
				}
			} else {
				var r lifecycle.StageRequest
				if err := c.do(cmd.Context(), "POST", "/api/v1/systems/"+sys+"/stage-requests", req, &r); err != nil {
					return err
				}
				if output == "json" {
					if err := writeJSON(e.stdout, r); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(e.stdout, "requested %s: %s %s → %s\n", r.Ref, r.SystemRef, r.From, r.To)
				}
				checks = r.Checks
			}
			if output == "table" {
				printChecks(e.stdout, checks)
			}
			if !checks.Met {
				fmt.Fprintf(e.stderr, "blocked: missing %s\n", strings.Join(checks.Missing, "; "))
				return exitError{1}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.To, "to", "", "the stage to move into (required)")
	f.StringVar(&req.From, "from", "", "the stage the system is in; refused when it is not")
	f.StringVar(&req.Justification, "reason", "", "why the system should move now (required unless --dry-run)")
	f.StringVar(&req.Plan, "plan", "", "the retirement plan, when the gate needs one")
	f.BoolVar(&dryRun, "dry-run", false, "only print the checks; request nothing")
	addOutputFlag(cmd, &output)
	_ = cmd.MarkFlagRequired("to")
	_ = cmd.RegisterFlagCompletionFunc("to", fixedCompletion(stageValues()...))
	_ = cmd.RegisterFlagCompletionFunc("from", fixedCompletion(stageValues()...))
	return cmd
}

// printChecks writes each check as a line: met or missing, what, why.
func printChecks(w io.Writer, c *lifecycle.Checks) {
	if c == nil {
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, x := range c.Checks {
		mark := "missing"
		if x.Met {
			mark = "met"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", mark, x.Label, oneLine(x.Detail, 120))
	}
	_ = tw.Flush()
}
