package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aims-dev/aims/internal/review"
	"github.com/spf13/cobra"
)

// newReviewAction is the group of commands on a review's actions.
func newReviewAction(e env) *cobra.Command {
	cmd := &cobra.Command{Use: "action", Short: "Record a review's actions and follow them up"}
	cmd.AddCommand(newReviewActionAdd(e), newReviewActionStatus(e, review.ActionDone), newReviewActionStatus(e, review.ActionOpen))
	return cmd
}

func newReviewActionAdd(e env) *cobra.Command {
	var req review.ActionRequest
	cmd := &cobra.Command{
		Use:     "add MR-n",
		Short:   "Record an action of a draft review",
		Example: `  aims review action add MR-1 --description "Hire a fairness reviewer" --owner cto@example.org --due 2026-06-30`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			var a review.Action
			if err := c.do(cmd.Context(), "POST", reviewPath(args[0])+"/actions", req, &a); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "recorded %s, owner %s, due %s\n", a.Ref, a.Owner.Email, a.DueOn)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Description, "description", "", "what is to be done")
	f.StringVar(&req.Owner, "owner", "", "the member responsible, by email")
	f.StringVar(&req.DueOn, "due", "", "when it is due, YYYY-MM-DD")
	for _, n := range []string{"description", "owner", "due"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}

// actionRef splits MR-1/A2 into the review's reference and the action's number.
func actionRef(s string) (string, int, error) {
	ref, num, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "/A")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 1 {
		return "", 0, fmt.Errorf("%q is not an action reference such as MR-1/A2", s)
	}
	return ref, n, nil
}

func newReviewActionStatus(e env, status string) *cobra.Command {
	use, short := "done", "Mark an action done (on --on, today when left out)"
	if status == review.ActionOpen {
		use, short = "reopen", "Open a done action again"
	}
	var on string
	cmd := &cobra.Command{
		Use:     use + " MR-n/An",
		Short:   short,
		Example: "  aims review action " + use + " MR-1/A2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, n, err := actionRef(args[0])
			if err != nil {
				return err
			}
			c, err := newClient(cmd, e)
			if err != nil {
				return err
			}
			path := reviewPath(ref) + "/actions/" + strconv.Itoa(n)
			var a review.Action
			if err := c.do(cmd.Context(), "GET", path, nil, &a); err != nil {
				return err
			}
			up := review.ActionChange{Version: a.Version, Status: &status}
			if on != "" {
				up.DoneOn = &on
			}
			if err := c.do(cmd.Context(), "PATCH", path, up, &a); err != nil {
				return err
			}
			if a.Status == review.ActionDone {
				fmt.Fprintf(e.stdout, "%s is done (%s)\n", a.Ref, a.DoneOn)
			} else {
				fmt.Fprintf(e.stdout, "%s is open again\n", a.Ref)
			}
			return nil
		},
	}
	if status == review.ActionDone {
		cmd.Flags().StringVar(&on, "on", "", "when it was done, YYYY-MM-DD")
	}
	return cmd
}
