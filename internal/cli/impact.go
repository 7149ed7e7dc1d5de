package cli

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/config"
	"github.com/aims-dev/aims/internal/impact"
	"github.com/spf13/cobra"
)

// newImpact is the impact command group.
func newImpact(e env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "impact",
		Short: "Carry out, review, approve and export AI system impact assessments (talks to a server)",
		Long: `An impact assessment asks, from a template, how an AI system may affect people
and society (ISO/IEC 42001 6.1.4, 8.4, A.5): the built-in templates are the elements
of ISO/IEC 42005 (iso-42005) and the EU AI Act Art. 27 fundamental rights impact
assessment (eu-fria). Answer its questions, list its impacts, raise a risk from an
impact, submit it for review, and have an owner or manager approve it as a frozen
version signed in the audit log. These commands talk to an aims server (--server or
AIMS_SERVER) with an API token (--token or AIMS_TOKEN).`,
		Example: `  aims impact start --system SYS-1 --template eu-fria
  aims impact answer IA-1 --question frequency --value daily
  aims impact add-impact IA-1 --group "Job applicants" --harm "Unfair rejection" \
    --severity high --likelihood possible --reversibility partly_reversible --scale group
  aims impact risk IA-1 --impact 1
  aims impact submit IA-1 && aims impact approve IA-1
  aims impact export IA-1 -o ia-1.pdf`,
	}
	config.AddClientFlags(cmd.PersistentFlags())
	cmd.AddCommand(newImpactList(e), newImpactShow(e), newImpactStart(e), newImpactAnswer(e), newImpactAddImpact(e),
		newImpactReview(e, "submit"), newImpactReview(e, "return"), newImpactApprove(e), newImpactRisk(e), newImpactExport(e),
		newImpactTemplates(e))
	return cmd
}

// impactOptions lists enumerated values with their labels, for completion.
func impactOptions(opts []impact.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value + "\t" + o.Label
	}
	return out
}

// assessmentCompletion completes an assessment's reference as the first argument.
func assessmentCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var p impact.Page
		if err := c.do(cmd.Context(), "GET", "/api/v1/impact/assessments?limit=200", nil, &p); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, a := range p.Items {
			out = append(out, a.Ref+"\t"+a.Title)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// templateCompletion completes a template's key.
func templateCompletion(e env) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		out := []string{impact.KeyISO42005 + "\tISO/IEC 42005 elements", impact.KeyEUFRIA + "\tEU AI Act Art. 27 FRIA"}
		c, err := newClient(cmd, e)
		if err != nil {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		var l struct{ Items []impact.TemplateSummary }
		if err := c.do(cmd.Context(), "GET", "/api/v1/impact/templates", nil, &l); err != nil {
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		out = out[:0]
		for _, t := range l.Items {
			out = append(out, t.Key+"\t"+t.Name)
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// fromAssessment completes a flag from the assessment named by the first
// argument: its question ids, or its impacts' numbers.
func fromAssessment(e env, what string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := newClient(cmd, e)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var a impact.Assessment
		if err := c.do(cmd.Context(), "GET", "/api/v1/impact/assessments/"+url.PathEscape(args[0]), nil, &a); err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		if what == "impact" {
			for _, i := range a.Impacts {
				out = append(out, strconv.Itoa(i.Number)+"\t"+oneLine(i.Group+": "+i.Harm, 60))
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
		for _, s := range a.Sections {
			for _, q := range s.Questions {
				if q.Type != impact.TypeImpacts {
					out = append(out, q.ID+"\t"+oneLine(q.Text, 60))
				}
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

func newImpactList(e env) *cobra.Command {
	var q impact.ListQuery
	var output string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List impact assessments, newest first",
		Example: `  aims impact list
  aims impact list --system SYS-1
  aims impact list --due            # approved assessments due for review, and why`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			v := url.Values{"limit": {strconv.Itoa(q.Limit)}}
			for k, val := range map[string]string{"system": q.System, "status": q.Status, "q": q.Q} {
				if val != "" {
					v.Set(k, val)
				}
			}
			if q.Due {
				v.Set("due", "true")
			}
			var p impact.Page
			if err := c.do(cmd.Context(), "GET", "/api/v1/impact/assessments?"+v.Encode(), nil, &p); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, p)
			}
			printAssessments(e.stdout, e.stderr, &p, q.Due)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&q.System, "system", "", "only assessments of this AI system (reference such as SYS-1)")
	f.StringVar(&q.Status, "status", "", "only assessments in this status: draft, in_review or approved")
	f.BoolVar(&q.Due, "due", false, "only approved assessments due for review")
	f.StringVar(&q.Q, "search", "", "words that must appear in the reference or title")
	f.IntVar(&q.Limit, "limit", 50, "how many to list, at most 200")
	addOutputFlag(cmd, &output)
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("status", fixedCompletion(impactOptions(impact.Statuses)...))
	return cmd
}

func newImpactShow(e env) *cobra.Command {
	var version int
	var output string
	cmd := &cobra.Command{
		Use:   "show IA-1",
		Short: "Show an assessment's questions and answers, impacts, status and review signal, or an approved version",
		Example: `  aims impact show IA-1
  aims impact show IA-1 --version 2
  aims impact show IA-1 -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0])
			if version > 0 {
				var v impact.Version
				if err := c.do(cmd.Context(), "GET", path+"/versions/"+strconv.Itoa(version), nil, &v); err != nil {
					return err
				}
				if output == "json" {
					return writeJSON(e.stdout, v)
				}
				printImpactVersion(e.stdout, &v)
				return nil
			}
			var a impact.Assessment
			if err := c.do(cmd.Context(), "GET", path, nil, &a); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, a)
			}
			printAssessment(e.stdout, &a)
			return nil
		},
	}
	cmd.Flags().IntVar(&version, "version", 0, "show this approved version instead of the current content")
	addOutputFlag(cmd, &output)
	return cmd
}

func newImpactStart(e env) *cobra.Command {
	var req impact.StartRequest
	cmd := &cobra.Command{
		Use:   "start --system SYS-1 --template eu-fria",
		Short: "Start an impact assessment of an AI system from a template",
		Example: `  aims impact start --system SYS-1 --template eu-fria
  aims impact start --system SYS-2 --template iso-42005 --title "Chat assistant, 2026 review"
  aims impact start --system SYS-1 --template eu-fria --model-version MDL-1@1.0.0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a impact.Assessment
			if err := c.do(cmd.Context(), "POST", "/api/v1/impact/assessments", req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "started %s %s (%s v%d, %d questions to answer)\n", a.Ref, a.Title, a.Template.Key, a.Template.Version, len(a.Missing))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.System, "system", "", "the AI system assessed (required)")
	f.StringVar(&req.Template, "template", "", "iso-42005, eu-fria or an own template such as IAT-1 (required)")
	f.StringVar(&req.Title, "title", "", "a title (default: the template's and the system's names)")
	f.StringVar(&req.ModelVersion, "model-version", "", "the model version assessed, such as MDL-1@1.0.0, of a model of the same AI system")
	_ = cmd.MarkFlagRequired("system")
	_ = cmd.MarkFlagRequired("template")
	_ = cmd.RegisterFlagCompletionFunc("system", systemCompletion(e))
	_ = cmd.RegisterFlagCompletionFunc("template", templateCompletion(e))
	return cmd
}

func newImpactAnswer(e env) *cobra.Command {
	var question, value, title, residual string
	cmd := &cobra.Command{
		Use:   "answer IA-1 --question ID --value TEXT",
		Short: "Answer a question, or change the title or residual concerns",
		Long: `Answer one question of an assessment: a text; for a choice question the option's
value; for a scale question the point as a number (1 … N). An empty value clears the
answer. 'aims impact show' lists the questions with their ids and options.`,
		Example: `  aims impact answer IA-1 --question frequency --value daily
  aims impact answer IA-1 --question oversight_strength --value 3
  aims impact answer IA-1 --residual-concerns "Bias against career breaks may remain."`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := "/api/v1/impact/assessments/" + url.PathEscape(args[0])
			var a impact.Assessment
			if err := c.do(cmd.Context(), "GET", path, nil, &a); err != nil {
				return err
			}
			req := impact.UpdateRequest{Version: a.Version}
			if question != "" {
				req.Answers = map[string]string{question: value}
			}
			if cmd.Flags().Changed("title") {
				req.Title = &title
			}
			if cmd.Flags().Changed("residual-concerns") {
				req.ResidualConcerns = &residual
			}
			if req.Answers == nil && req.Title == nil && req.ResidualConcerns == nil {
				return fmt.Errorf("give --question and --value, --title or --residual-concerns")
			}
			if err := c.do(cmd.Context(), "PATCH", path, req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s saved (version %d); %s\n", a.Ref, a.Version, missingWords(a.Missing))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&question, "question", "", "the question's id")
	f.StringVar(&value, "value", "", "the answer; empty to clear it")
	f.StringVar(&title, "title", "", "a new title")
	f.StringVar(&residual, "residual-concerns", "", "what remains of concern after the mitigations")
	_ = cmd.RegisterFlagCompletionFunc("question", fromAssessment(e, "question"))
	return cmd
}

// missingWords says what still blocks submission.
func missingWords(missing []string) string {
	if len(missing) == 0 {
		return "ready to submit"
	}
	return "still required: " + strings.Join(missing, ", ")
}

func newImpactAddImpact(e env) *cobra.Command {
	var req impact.ImpactRequest
	var output string
	cmd := &cobra.Command{
		Use:   "add-impact IA-1 --group WHO --harm WHAT --severity S --likelihood L --reversibility R --scale SC",
		Short: "Add an impact: who is affected, what harm, how severe, likely, reversible and widespread",
		Example: `  aims impact add-impact IA-1 --group "Job applicants" --harm "Qualified applicants are rejected unfairly" \
    --severity high --likelihood possible --reversibility partly_reversible --scale group \
    --mitigation "A recruiter reviews every low rank"`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: assessmentCompletion(e),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var i impact.Impact
			if err := c.do(cmd.Context(), "POST", "/api/v1/impact/assessments/"+url.PathEscape(args[0])+"/impacts", req, &i); err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e.stdout, i)
			}
			fmt.Fprintf(e.stdout, "added impact #%d to %s: %s\n", i.Number, strings.ToUpper(args[0]), i.Summary())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Group, "group", "", "who is affected (required)")
	f.StringVar(&req.Harm, "harm", "", "what harm may come to them (required)")
	f.StringVar(&req.Severity, "severity", "", "low, medium, high or critical (required)")
	f.StringVar(&req.Likelihood, "likelihood", "", "rare, unlikely, possible, likely or almost_certain (required)")
	f.StringVar(&req.Reversibility, "reversibility", "", "reversible, partly_reversible or irreversible (required)")
	f.StringVar(&req.Scale, "scale", "", "individual, group or society (required)")
	f.StringVar(&req.Mitigation, "mitigation", "", "what is done to prevent or lessen it")
	addOutputFlag(cmd, &output)
	for _, flag := range []string{"group", "harm", "severity", "likelihood", "reversibility", "scale"} {
		_ = cmd.MarkFlagRequired(flag)
	}
	for flag, opts := range map[string][]impact.Option{"severity": impact.Severities, "likelihood": impact.Likelihoods,
		"reversibility": impact.Reversibilities, "scale": impact.Scales} {
		_ = cmd.RegisterFlagCompletionFunc(flag, fixedCompletion(impactOptions(opts)...))
	}
	return cmd
}
