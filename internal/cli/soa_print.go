package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aims-dev/aims/internal/soa"
)

// oneLine shortens a text to one line of about n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func soaDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func applicableWord(d *soa.Decision) string {
	switch {
	case d == nil:
		return "undecided"
	case d.Applicable:
		return "yes"
	}
	return "no"
}

// printEntries writes a table of controls with their overrides beneath them.
func printEntries(w io.Writer, entries []soa.Entry) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tFOR\tAPPLICABLE\tSTATUS\tOWNER\tTARGET\tEVIDENCE\tRISKS\tJUSTIFICATION")
	row := func(id, who string, d *soa.Decision, evidence, risks string) {
		status, owner, target, just := "-", "-", "-", "-"
		if d != nil {
			status, owner, target, just = soaDash(d.Status), soaDash(d.OwnerName), soaDash(d.TargetDate), oneLine(d.Justification, 60)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, who, applicableWord(d), status, owner, target, evidence, risks, just)
	}
	for _, en := range entries {
		evidence := make([]string, len(en.Evidence))
		for i, ev := range en.Evidence {
			evidence[i] = ev.Ref
		}
		risks := make([]string, len(en.Risks))
		for i, r := range en.Risks {
			risks[i] = r.Ref
		}
		row(en.ControlID, "organisation", en.Decision, soaDash(strings.Join(evidence, ",")), soaDash(strings.Join(risks, ",")))
		for _, o := range en.Overrides {
			dec := o.Decision
			row(en.ControlID, o.SystemRef, &dec, "", "")
		}
	}
	tw.Flush()
}

func printDraft(w io.Writer, d *soa.Draft) {
	fmt.Fprintf(w, "Statement of Applicability of %s: draft", d.Organisation)
	if d.LatestVersion > 0 {
		fmt.Fprintf(w, " after version %d", d.LatestVersion)
	}
	fmt.Fprintf(w, "\nScope: %s\n%d of %d controls decided, %d applicable\n", soaDash(oneLine(d.Scope, 200)), d.Decided, d.Total, d.Applicable)
	switch {
	case d.ScopeMissing || len(d.Blockers) > 0:
		var why []string
		if d.ScopeMissing {
			why = append(why, "the scope")
		}
		if n := len(d.Blockers); n > 0 {
			shown := d.Blockers[:min(n, 10)]
			more := ""
			if n > len(shown) {
				more = fmt.Sprintf(" and %d more", n-len(shown))
			}
			why = append(why, fmt.Sprintf("%d undecided controls (%s%s)", n, strings.Join(shown, ", "), more))
		}
		fmt.Fprintf(w, "Approval waits for %s\n", strings.Join(why, " and "))
	default:
		fmt.Fprintf(w, "Ready to approve as version %d\n", d.LatestVersion+1)
	}
	fmt.Fprintln(w)
	printEntries(w, d.Entries)
}

func printVersion(w io.Writer, v *soa.Version) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Organisation\t%s\n", v.Organisation)
	fmt.Fprintf(tw, "Version\t%d\n", v.Number)
	fmt.Fprintf(tw, "Approved by\t%s\n", v.ApprovedByName)
	fmt.Fprintf(tw, "Approved at\t%s\n", v.ApprovedAt.UTC().Format(time.RFC3339))
	fmt.Fprintf(tw, "Note\t%s\n", soaDash(oneLine(v.Note, 200)))
	fmt.Fprintf(tw, "Scope\t%s\n", soaDash(oneLine(v.Scope, 200)))
	if v.Checkpoint != nil {
		fmt.Fprintf(tw, "Checkpoint\t%s, size %d\n", v.Checkpoint.Origin, v.Checkpoint.Size)
	}
	tw.Flush()
	if v.Checkpoint != nil {
		fmt.Fprintf(w, "\nSigned checkpoint:\n%s\n", strings.TrimRight(v.Checkpoint.Note, "\n"))
	}
	fmt.Fprintln(w)
	printEntries(w, v.Controls)
}

func printSystemSoA(w io.Writer, v *soa.SystemView) {
	fmt.Fprintf(w, "Statement of Applicability for %s %s: %d control(s) decided for this system alone\n\n", v.SystemRef, v.SystemName, v.Overrides)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tAPPLICABLE\tSTATUS\tDECIDED BY\tJUSTIFICATION")
	for _, en := range v.Entries {
		status, just := "-", "-"
		if en.Decision != nil {
			status, just = soaDash(en.Decision.Status), oneLine(en.Decision.Justification, 60)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", en.ControlID, applicableWord(en.Decision), status, en.Source, just)
	}
	tw.Flush()
}

func printComparison(w io.Writer, c *soa.Comparison) {
	fmt.Fprintf(w, "From %s to %s: %d decision(s) differ", c.FromLabel, c.ToLabel, len(c.Changes))
	if c.ScopeChanged {
		fmt.Fprint(w, ", and the scope")
	}
	fmt.Fprintln(w)
	if c.ScopeChanged {
		fmt.Fprintf(w, "\n  scope: %q → %q\n", c.ScopeBefore, c.ScopeAfter)
	}
	for _, ch := range c.Changes {
		who := "organisation"
		if ch.SystemRef != "" {
			who = ch.SystemRef + " " + ch.SystemName
		}
		fmt.Fprintf(w, "\n%s %s (%s): %s\n", ch.ControlID, ch.Title, who, ch.Kind)
		for _, f := range ch.Fields {
			fmt.Fprintf(w, "    %s: %q → %q\n", f.Field, f.Before, f.After)
		}
	}
}
