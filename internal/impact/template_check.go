package impact

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
)

// Limits of a template's structure.
const (
	maxSections  = 30
	maxQuestions = 50 // per section
	minOptions   = 2
	maxOptions   = 30
	minScale     = 2
	maxScale     = 10
	maxLabel     = 200
	maxRef       = 40
)

// checkSections trims a template's sections and records every problem,
// naming each field by its path, such as sections[1].questions[0].text.
func checkSections(p *aims.Problems, sections []Section) []Section {
	if len(sections) == 0 {
		p.Add("sections", "must hold at least one section")
		return sections
	}
	if len(sections) > maxSections {
		p.Add("sections", "must hold at most %d sections", maxSections)
	}
	out := make([]Section, len(sections))
	sectionIDs := map[string]bool{}
	questionIDs := map[string]bool{}
	impacts := 0
	for i, s := range sections {
		at := fmt.Sprintf("sections[%d]", i)
		s.ID = strings.TrimSpace(s.ID)
		checkSlug(p, at+".id", s.ID, sectionIDs, "section")
		checkText(p, at+".ref", &s.Ref, false, maxRef)
		checkText(p, at+".title", &s.Title, true, maxTitle)
		checkText(p, at+".help", &s.Help, false, maxHelp)
		switch {
		case len(s.Questions) == 0:
			p.Add(at+".questions", "must hold at least one question")
		case len(s.Questions) > maxQuestions:
			p.Add(at+".questions", "must hold at most %d questions", maxQuestions)
		}
		qs := make([]Question, len(s.Questions))
		for j, q := range s.Questions {
			qs[j] = checkQuestion(p, fmt.Sprintf("%s.questions[%d]", at, j), q, questionIDs)
			if qs[j].Type == TypeImpacts {
				impacts++
				if impacts == 2 {
					p.Add(fmt.Sprintf("%s.questions[%d].type", at, j), "must not be impacts: a template has at most one list of impacts")
				}
			}
		}
		s.Questions = qs
		out[i] = s
	}
	return out
}

// checkQuestion trims one question and records its problems.
func checkQuestion(p *aims.Problems, at string, q Question, ids map[string]bool) Question {
	q.ID = strings.TrimSpace(q.ID)
	checkSlug(p, at+".id", q.ID, ids, "question")
	checkText(p, at+".ref", &q.Ref, false, maxRef)
	checkText(p, at+".text", &q.Text, true, maxShort)
	checkText(p, at+".help", &q.Help, false, maxHelp)
	q.Type = strings.TrimSpace(q.Type)
	if !allowed(QuestionTypes, q.Type) {
		p.Add(at+".type", "must be one of %s", values(QuestionTypes))
	}
	if q.Type == TypeChoice {
		switch {
		case len(q.Options) < minOptions:
			p.Add(at+".options", "must hold at least %d options", minOptions)
		case len(q.Options) > maxOptions:
			p.Add(at+".options", "must hold at most %d options", maxOptions)
		}
		seen := map[string]bool{}
		opts := make([]Choice, len(q.Options))
		for k, o := range q.Options {
			o.Value = strings.TrimSpace(o.Value)
			checkSlug(p, fmt.Sprintf("%s.options[%d].value", at, k), o.Value, seen, "option")
			checkText(p, fmt.Sprintf("%s.options[%d].label", at, k), &o.Label, true, maxLabel)
			opts[k] = o
		}
		q.Options = opts
	} else if len(q.Options) > 0 {
		p.Add(at+".options", "must be empty unless the question is a choice")
	}
	if q.Type == TypeScale {
		switch {
		case len(q.Scale) < minScale:
			p.Add(at+".scale", "must hold at least %d points", minScale)
		case len(q.Scale) > maxScale:
			p.Add(at+".scale", "must hold at most %d points", maxScale)
		}
		labels := make([]string, len(q.Scale))
		for k, l := range q.Scale {
			checkText(p, fmt.Sprintf("%s.scale[%d]", at, k), &l, true, maxLabel)
			labels[k] = l
		}
		q.Scale = labels
	} else if len(q.Scale) > 0 {
		p.Add(at+".scale", "must be empty unless the question is a scale")
	}
	return q
}

// checkSlug checks an id of a section, question or option and that it is unique among seen.
func checkSlug(p *aims.Problems, field, id string, seen map[string]bool, what string) {
	switch {
	case id == "":
		p.Add(field, "is required")
	case !slugPattern.MatchString(id):
		p.Add(field, "must be 1 to 40 lower-case letters, digits, _ or -, starting with a letter or digit")
	case seen[id]:
		p.Add(field, "is the id of another %s of this template", what)
	}
	seen[id] = true
}

// findQuestion finds a question of sections by id.
func findQuestion(sections []Section, id string) (*Question, bool) {
	for i := range sections {
		for j := range sections[i].Questions {
			if sections[i].Questions[j].ID == id {
				return &sections[i].Questions[j], true
			}
		}
	}
	return nil, false
}

// countQuestions counts the questions of sections.
func countQuestions(sections []Section) int {
	n := 0
	for _, s := range sections {
		n += len(s.Questions)
	}
	return n
}

// checkAnswer checks one answer against its question, recording what is
// wrong under answers.<id>, and returns it trimmed.
func checkAnswer(p *aims.Problems, q *Question, v string) string {
	field := "answers." + q.ID
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	switch q.Type {
	case TypeText:
		checkText(p, field, &v, false, maxAnswer)
	case TypeChoice:
		ok := false
		for _, o := range q.Options {
			ok = ok || o.Value == v
		}
		if !ok {
			vs := make([]string, len(q.Options))
			for i, o := range q.Options {
				vs[i] = o.Value
			}
			p.Add(field, "must be one of %s", strings.Join(vs, ", "))
		}
	case TypeScale:
		n, err := parseScale(v)
		if err != nil || n < 1 || n > len(q.Scale) {
			p.Add(field, "must be a whole number from 1 to %d", len(q.Scale))
		}
	case TypeImpacts:
		p.Add(field, "is the list of impacts: add impacts instead of answering it")
	}
	if !utf8.ValidString(v) {
		return ""
	}
	return v
}

// parseScale reads a scale point written in digits.
func parseScale(v string) (int, error) {
	n := 0
	if v == "" || len(v) > 2 {
		return 0, fmt.Errorf("not a scale point: %q", v)
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a scale point: %q", v)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// AnswerText words an answer for people: a choice's label, a scale point
// with its label ("3 · Significant"), or the text itself.
func AnswerText(q *Question, v string) string {
	switch q.Type {
	case TypeChoice:
		for _, o := range q.Options {
			if o.Value == v {
				return o.Label
			}
		}
	case TypeScale:
		if n, err := parseScale(v); err == nil && n >= 1 && n <= len(q.Scale) {
			return v + " of " + itoa(len(q.Scale)) + ": " + q.Scale[n-1]
		}
	}
	return v
}

// missing lists the required questions without an answer, in template
// order; an impacts question counts as answered once there is an impact.
func missing(sections []Section, answers map[string]string, impacts int) []string {
	out := []string{}
	for _, s := range sections {
		for _, q := range s.Questions {
			if !q.Required {
				continue
			}
			if (q.Type == TypeImpacts && impacts == 0) || (q.Type != TypeImpacts && strings.TrimSpace(answers[q.ID]) == "") {
				out = append(out, q.ID)
			}
		}
	}
	return out
}
