package risk

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Limits of the criteria.
const (
	MinScale      = 2
	MaxScale      = 10
	MinLevels     = 2
	MaxLevels     = 10
	maxLabel      = 100
	maxLevelName  = 40
	maxScaleText  = 1000
	MaxReviewDays = 3650
)

// ScaleLevel is one step of the likelihood or impact scale.
type ScaleLevel struct {
	Label       string `json:"label" doc:"Short name such as Rare or Severe, at most 100 characters."`
	Description string `json:"description" doc:"What the step means, at most 1000 characters."`
}

// Level is one of the organisation's risk levels, such as high.
type Level struct {
	Name       string `json:"name" doc:"Such as low or critical, at most 40 characters, unique."`
	Colour     string `json:"colour" doc:"Colour on heat maps, #rrggbb."`
	ReviewDays int    `json:"review_days" doc:"Days from an assessment to the next review of a risk at this level, 1 to 3650."`
}

// CriteriaRequest sets the risk criteria as a new version. Every field is
// set as sent; the service names every bad field.
type CriteriaRequest struct {
	Likelihood []ScaleLevel `json:"likelihood" doc:"The likelihood scale from least to most likely, 2 to 10 steps."`
	Impact     []ScaleLevel `json:"impact" doc:"The impact scale from least to most severe, 2 to 10 steps."`
	Levels     []Level      `json:"levels" doc:"The risk levels from lowest to highest, 2 to 10."`
	Matrix     [][]string   `json:"matrix" doc:"The level of each cell: matrix[l-1][i-1] names the level of likelihood l and impact i. A cell is never lower than a cell of lower likelihood or impact."`
	Appetite   string       `json:"appetite" doc:"The highest level that may be accepted without escalation to an owner."`
	Note       string       `json:"note,omitempty" doc:"Why the criteria change, at most 4000 characters."`
	Version    int          `json:"version" minimum:"0" doc:"The current version this change is based on; 0 for the first."`
}

// Criteria is a version of an organisation's risk criteria (ISO/IEC 42001
// 6.1.1): the scales, the level of each cell, the appetite and the review
// intervals. Versions are never changed.
type Criteria struct {
	Version       int          `json:"version"`
	Likelihood    []ScaleLevel `json:"likelihood"`
	Impact        []ScaleLevel `json:"impact"`
	Levels        []Level      `json:"levels"`
	Matrix        [][]string   `json:"matrix"`
	Appetite      string       `json:"appetite"`
	Note          string       `json:"note"`
	CreatedBy     string       `json:"created_by"`
	CreatedByName string       `json:"created_by_name"`
	CreatedAt     time.Time    `json:"created_at"`
	Current       bool         `json:"current" doc:"True for the organisation's current version."`
}

// CriteriaSummary describes a version of the criteria in a list.
type CriteriaSummary struct {
	Version       int       `json:"version"`
	Size          string    `json:"size" doc:"Likelihood by impact, such as 5×5."`
	Levels        []string  `json:"levels"`
	Appetite      string    `json:"appetite"`
	Note          string    `json:"note"`
	CreatedBy     string    `json:"created_by"`
	CreatedByName string    `json:"created_by_name"`
	CreatedAt     time.Time `json:"created_at"`
}

// content is what a version stores, as JSON.
type content struct {
	Likelihood []ScaleLevel `json:"likelihood"`
	Impact     []ScaleLevel `json:"impact"`
	Levels     []Level      `json:"levels"`
	Matrix     [][]string   `json:"matrix"`
	Appetite   string       `json:"appetite"`
}

func (c *Criteria) content() content {
	return content{Likelihood: c.Likelihood, Impact: c.Impact, Levels: c.Levels, Matrix: c.Matrix, Appetite: c.Appetite}
}

// Size words the matrix's dimensions: 5×5.
func (c *Criteria) Size() string { return fmt.Sprintf("%d×%d", len(c.Likelihood), len(c.Impact)) }

// Rank is a level's position from 1 for the lowest, or 0 when it is not one of the levels.
func (c *Criteria) Rank(level string) int {
	for i, l := range c.Levels {
		if l.Name == level {
			return i + 1
		}
	}
	return 0
}

// Level returns a level by name.
func (c *Criteria) Level(name string) (Level, bool) {
	if r := c.Rank(name); r > 0 {
		return c.Levels[r-1], true
	}
	return Level{}, false
}

// Rate returns the rating of a cell, or nil when it is outside the scales.
func (c *Criteria) Rate(likelihood, impact int) *Rating {
	if likelihood < 1 || likelihood > len(c.Likelihood) || impact < 1 || impact > len(c.Impact) {
		return nil
	}
	name := c.Matrix[likelihood-1][impact-1]
	lv, _ := c.Level(name)
	return &Rating{Likelihood: likelihood, Impact: impact, LikelihoodLabel: c.Likelihood[likelihood-1].Label,
		ImpactLabel: c.Impact[impact-1].Label, Level: name, Colour: lv.Colour, Rank: c.Rank(name)}
}

// Above reports whether a level is above the appetite.
func (c *Criteria) Above(level string) bool { return c.Rank(level) > c.Rank(c.Appetite) }

// ReviewDays is the review interval of a level.
func (c *Criteria) ReviewDays(level string) int {
	lv, _ := c.Level(level)
	return lv.ReviewDays
}

// Request returns the version as a request for a new version based on it.
func (c *Criteria) Request() CriteriaRequest {
	cp := func(m [][]string) [][]string {
		out := make([][]string, len(m))
		for i := range m {
			out[i] = append([]string(nil), m[i]...)
		}
		return out
	}
	return CriteriaRequest{Likelihood: append([]ScaleLevel(nil), c.Likelihood...), Impact: append([]ScaleLevel(nil), c.Impact...),
		Levels: append([]Level(nil), c.Levels...), Matrix: cp(c.Matrix), Appetite: c.Appetite, Version: c.Version}
}

// DefaultCriteria is offered to an organisation without criteria: a 5×5
// matrix with four levels, the cell's level following the product of
// likelihood and impact, and medium as the appetite. A lead saves it,
// changed or not, as version 1.
func DefaultCriteria() CriteriaRequest {
	req := CriteriaRequest{
		Likelihood: []ScaleLevel{
			{"Rare", "May happen only in exceptional circumstances; not expected in the next five years."},
			{"Unlikely", "Could happen, but is not expected; about once in five years."},
			{"Possible", "Might happen; about once in two years."},
			{"Likely", "Will probably happen; about once a year."},
			{"Almost certain", "Expected to happen several times a year."},
		},
		Impact: []ScaleLevel{
			{"Negligible", "No noticeable harm to people, the organisation or society."},
			{"Minor", "Limited, easily reversed harm to a few people or a small cost."},
			{"Moderate", "Harm to a group of people, a breach of an obligation or a noticeable cost, reversible with effort."},
			{"Major", "Serious harm to people or their rights, regulatory action or a large cost; hard to reverse."},
			{"Severe", "Irreversible harm to people or society, or a threat to the organisation's existence."},
		},
		Levels: []Level{
			{Name: "low", Colour: "#2e7d32", ReviewDays: 365},
			{Name: "medium", Colour: "#f9a825", ReviewDays: 180},
			{Name: "high", Colour: "#ef6c00", ReviewDays: 90},
			{Name: "critical", Colour: "#c62828", ReviewDays: 30},
		},
		Appetite: "medium",
	}
	req.Matrix = make([][]string, 5)
	for l := 1; l <= 5; l++ {
		req.Matrix[l-1] = make([]string, 5)
		for i := 1; i <= 5; i++ {
			switch p := l * i; {
			case p <= 4:
				req.Matrix[l-1][i-1] = "low"
			case p <= 9:
				req.Matrix[l-1][i-1] = "medium"
			case p <= 16:
				req.Matrix[l-1][i-1] = "high"
			default:
				req.Matrix[l-1][i-1] = "critical"
			}
		}
	}
	return req
}

// colourPattern is a colour as criteria store it.
var colourPattern = regexp.MustCompile(`^#[0-9a-f]{6}$`)

// normaliseColour writes #ABC and #AbCdEf as #aabbcc and #abcdef.
func normaliseColour(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) == 4 && s[0] == '#' {
		s = "#" + strings.Repeat(s[1:2], 2) + strings.Repeat(s[2:3], 2) + strings.Repeat(s[3:4], 2)
	}
	return s
}

// checkShort trims a short text and records what is wrong with it.
func checkShort(p *aims.Problems, field string, v *string, required bool, max int) {
	*v = strings.Join(strings.Fields(*v), " ")
	switch {
	case required && *v == "":
		p.Add(field, "is required")
	case utf8.RuneCountInString(*v) > max:
		p.Add(field, "must be at most %d characters", max)
	case !utf8.ValidString(*v):
		p.Add(field, "must be UTF-8 text")
	}
}

// normalise trims the request and records every problem with it; the
// fields of steps, levels and cells are numbered from 1, as people count.
func (r *CriteriaRequest) normalise(p *aims.Problems) {
	scale := func(name string, steps []ScaleLevel) {
		if len(steps) < MinScale || len(steps) > MaxScale {
			p.Add(name, "must have %d to %d steps, not %d", MinScale, MaxScale, len(steps))
		}
		seen := map[string]int{}
		for i := range steps {
			f := fmt.Sprintf("%s.%d.", name, i+1)
			checkShort(p, f+"label", &steps[i].Label, true, maxLabel)
			checkText(p, f+"description", &steps[i].Description, false, maxScaleText)
			k := strings.ToLower(steps[i].Label)
			if j, ok := seen[k]; ok && k != "" && !p.Has(f+"label") {
				p.Add(f+"label", "is the same as step %d", j)
			}
			seen[k] = i + 1
		}
	}
	scale("likelihood", r.Likelihood)
	scale("impact", r.Impact)
	if len(r.Levels) < MinLevels || len(r.Levels) > MaxLevels {
		p.Add("levels", "must have %d to %d levels, not %d", MinLevels, MaxLevels, len(r.Levels))
	}
	rank := map[string]int{}
	for i := range r.Levels {
		lv := &r.Levels[i]
		f := fmt.Sprintf("levels.%d.", i+1)
		checkShort(p, f+"name", &lv.Name, true, maxLevelName)
		if j, ok := rank[lv.Name]; ok && lv.Name != "" && !p.Has(f+"name") {
			p.Add(f+"name", "is the same as level %d", j)
		} else if lv.Name != "" {
			rank[lv.Name] = i + 1
		}
		lv.Colour = normaliseColour(lv.Colour)
		if !colourPattern.MatchString(lv.Colour) {
			p.Add(f+"colour", "must be a colour written #rrggbb, such as #c62828")
		}
		if lv.ReviewDays < 1 || lv.ReviewDays > MaxReviewDays {
			p.Add(f+"review_days", "must be between 1 and %d days", MaxReviewDays)
		}
	}
	r.Appetite = strings.Join(strings.Fields(r.Appetite), " ")
	if r.Appetite == "" {
		p.Add("appetite", "is required: name the highest level that may be accepted without escalation")
	} else if rank[r.Appetite] == 0 {
		p.Add("appetite", "must be one of the levels")
	}
	checkText(p, "note", &r.Note, false, maxText)
	if r.Version < 0 {
		p.Add("version", "must be 0 or more")
	}
	// The matrix: one row per likelihood step, one cell per impact step.
	if len(r.Matrix) != len(r.Likelihood) {
		p.Add("matrix", "must have a row for each of the %d likelihood steps, not %d rows", len(r.Likelihood), len(r.Matrix))
		return
	}
	for l := range r.Matrix {
		if len(r.Matrix[l]) != len(r.Impact) {
			p.Add("matrix", "row %d must have a cell for each of the %d impact steps, not %d", l+1, len(r.Impact), len(r.Matrix[l]))
			return
		}
	}
	for l := range r.Matrix {
		for i := range r.Matrix[l] {
			f := fmt.Sprintf("matrix.%d.%d", l+1, i+1)
			r.Matrix[l][i] = strings.Join(strings.Fields(r.Matrix[l][i]), " ")
			name := r.Matrix[l][i]
			switch {
			case name == "":
				p.Add(f, "is required: choose the level of likelihood %d and impact %d", l+1, i+1)
				continue
			case rank[name] == 0:
				p.Add(f, "must be one of the levels")
				continue
			}
			// A higher likelihood or impact never gives a lower level.
			if l > 0 && rank[r.Matrix[l-1][i]] > rank[name] {
				p.Add(f, "must not be lower than the level of likelihood %d and impact %d (%s)", l, i+1, r.Matrix[l-1][i])
			} else if i > 0 && rank[r.Matrix[l][i-1]] > rank[name] {
				p.Add(f, "must not be lower than the level of likelihood %d and impact %d (%s)", l+1, i, r.Matrix[l][i-1])
			}
		}
	}
}
