// Package decision keeps each AI system's decision records: what the system
// decided, on which inputs, with which model version, why (the explanation)
// and what a person reviewing it did. Every system has its own verifiable
// log: a record's leaf commits to the SHA-256 of its canonical bytes, which
// are stored as an erasable payload, so a receipt proves a decision was
// logged and nobody can rewrite the log unnoticed. Outcomes arrive later
// and are appended, never edited.
package decision

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aims-dev/aims/internal/aims"
	"github.com/aims-dev/aims/internal/tlog"
)

// Record is one decision as a client sends it.
type Record struct {
	ID   string    `json:"id" maxLength:"200" doc:"The client's own id of the decision; a record whose id was seen before is not stored again."`
	Time time.Time `json:"time" doc:"When the system decided (RFC 3339)."`
	// Model names the model version by id, key (MDL-1@1.4.0) or label (1.4.0).
	Model       string            `json:"model" maxLength:"200" doc:"The model version that decided: its id, its key such as MDL-1@1.4.0, or its label when only one of the system's models has it."`
	Inputs      json.RawMessage   `json:"inputs,omitempty" doc:"The features the model saw, as a JSON object."`
	InputsHash  string            `json:"inputs_hash,omitempty" doc:"The hex SHA-256 of the inputs, when the inputs themselves are withheld."`
	Output      Output            `json:"output" doc:"What the system decided."`
	Confidence  *float64          `json:"confidence,omitempty" doc:"The model's confidence, from 0 to 1."`
	Explanation *Explanation      `json:"explanation,omitempty" doc:"Why: feature attributions, reason codes and text."`
	Sensitive   map[string]string `json:"sensitive,omitempty" doc:"Sensitive attributes of the subject for fairness monitoring, such as sex or age band; stored apart and committed to by a salted hash."`
	Subject     string            `json:"subject,omitempty" maxLength:"200" doc:"A pseudonym of the person the decision is about; erasure finds their records by it."`
	Review      *Review           `json:"review,omitempty" doc:"What a person reviewing the decision did."`
}

// Output is what the system decided: a label, a score or both.
type Output struct {
	Label string   `json:"label,omitempty" maxLength:"200" doc:"The decision or class, such as approve."`
	Score *float64 `json:"score,omitempty" doc:"The model's score."`
}

// Attribution is how much one feature pushed the decision.
type Attribution struct {
	Feature string  `json:"feature" maxLength:"200"`
	Value   float64 `json:"value" doc:"The feature's contribution; positive pushes towards the output."`
}

// Explanation says why the system decided as it did.
type Explanation struct {
	Method       string        `json:"method,omitempty" maxLength:"200" doc:"How the attributions were computed, such as SHAP."`
	Attributions []Attribution `json:"attributions,omitempty" maxItems:"1000"`
	ReasonCodes  []string      `json:"reason_codes,omitempty" maxItems:"100"`
	Text         string        `json:"text,omitempty" maxLength:"10000"`
}

// Review is human oversight of one decision.
type Review struct {
	Reviewer string     `json:"reviewer" maxLength:"200" doc:"Who reviewed: a name, an e-mail or a pseudonym."`
	Result   string     `json:"result" enum:"agreed,overridden" doc:"agreed or overridden."`
	Final    string     `json:"final,omitempty" maxLength:"200" doc:"The final decision, when overridden."`
	Reason   string     `json:"reason,omitempty" maxLength:"10000"`
	Time     *time.Time `json:"time,omitempty"`
}

// Review results.
const (
	ReviewNone       = ""
	ReviewAgreed     = "agreed"
	ReviewOverridden = "overridden"
)

// recordVersion is the version of the canonical record encoding.
const recordVersion = 1

// timeFormat is how canonical records write times: UTC with microseconds,
// the precision both databases keep.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// canonical fixes the fields and their order in a record's canonical bytes.
type canonical struct {
	V           int             `json:"v"`
	System      string          `json:"system"`
	ID          string          `json:"id"`
	Time        string          `json:"time"`
	Model       canonicalModel  `json:"model"`
	Inputs      json.RawMessage `json:"inputs,omitempty"`
	InputsHash  string          `json:"inputs_hash,omitempty"`
	Output      Output          `json:"output"`
	Confidence  *float64        `json:"confidence,omitempty"`
	Explanation *Explanation    `json:"explanation,omitempty"`
	Subject     string          `json:"subject,omitempty"`
	Review      *canonicalRev   `json:"review,omitempty"`
	// Sensitive is the hex SHA-256 of a random salt and the canonical
	// attributes, which are stored apart.
	Sensitive string `json:"sensitive,omitempty"`
}

type canonicalModel struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

type canonicalRev struct {
	Reviewer string `json:"reviewer"`
	Result   string `json:"result"`
	Final    string `json:"final,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Time     string `json:"time,omitempty"`
}

// Stored is a record as the log holds it: the parsed canonical record.
type Stored struct {
	V           int             `json:"v"`
	System      string          `json:"system"`
	ID          string          `json:"id"`
	Time        time.Time       `json:"time"`
	Model       StoredModel     `json:"model"`
	Inputs      json.RawMessage `json:"inputs,omitempty"`
	InputsHash  string          `json:"inputs_hash,omitempty"`
	Output      Output          `json:"output"`
	Confidence  *float64        `json:"confidence,omitempty"`
	Explanation *Explanation    `json:"explanation,omitempty"`
	Subject     string          `json:"subject,omitempty"`
	Review      *Review         `json:"review,omitempty"`
	Sensitive   string          `json:"sensitive,omitempty"`
}

// StoredModel names the model version of a stored record.
type StoredModel struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// ParseRecord reads a record's canonical bytes.
func ParseRecord(b []byte) (*Stored, error) {
	var s Stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("malformed decision record: %w", err)
	}
	if s.V != recordVersion {
		return nil, fmt.Errorf("unsupported decision record version %d", s.V)
	}
	return &s, nil
}

// Limits on one record's fields.
const (
	maxText      = 200
	maxLongText  = 10000
	maxInputs    = 64 << 10
	maxSensitive = 50
)

// field names a field of the record at a position of a batch, such as
// "[3].time"; the name is built only when there is a problem to report.
type field struct {
	pos  int
	name string
	sub  int // replaces the %d in name, for a list's item
}

func (f field) String() string {
	name := f.name
	if strings.Contains(name, "%d") {
		name = fmt.Sprintf(name, f.sub)
	}
	if f.pos < 0 {
		return name
	}
	return fmt.Sprintf("[%d].%s", f.pos, name)
}

// check validates the record at position i of a batch, and leaves its
// time in UTC to the microsecond and its inputs compact, as they are stored.
func (r *Record) check(p *aims.Problems, i int) {
	f := func(name string) string { return field{pos: i, name: name}.String() }
	checkShort(p, field{pos: i, name: "id"}, r.ID, true)
	if r.Time.IsZero() {
		p.Add(f("time"), "is required: when the system decided, in RFC 3339")
	} else if !timeInRange(r.Time) {
		p.Add(f("time"), "must be a time between 1970 and 9999")
	}
	r.Time = r.Time.UTC().Truncate(time.Microsecond)
	checkShort(p, field{pos: i, name: "model"}, r.Model, true)
	if string(bytes.TrimSpace(r.Inputs)) == "null" {
		r.Inputs = nil
	}
	if len(r.Inputs) > 0 {
		switch {
		case len(r.Inputs) > maxInputs:
			p.Add(f("inputs"), "must be at most %d bytes; send inputs_hash instead of large inputs", maxInputs)
		case bytes.TrimSpace(r.Inputs)[0] != '{':
			p.Add(f("inputs"), "must be a JSON object of features")
		default:
			// Compacting checks the JSON too; the record keeps the compact form.
			compact := bytes.NewBuffer(make([]byte, 0, len(r.Inputs)))
			if err := json.Compact(compact, r.Inputs); err != nil {
				p.Add(f("inputs"), "must be a JSON object of features")
			} else {
				r.Inputs = compact.Bytes()
			}
		}
	}
	if r.InputsHash != "" {
		if b, err := hex.DecodeString(r.InputsHash); err != nil || len(b) != sha256.Size {
			p.Add(f("inputs_hash"), "must be a SHA-256 in hexadecimal (64 characters)")
		}
	}
	checkShort(p, field{pos: i, name: "output.label"}, r.Output.Label, false)
	checkNumber(p, field{pos: i, name: "output.score"}, r.Output.Score)
	if r.Output.Label == "" && r.Output.Score == nil {
		p.Add(f("output"), "needs a label, a score or both")
	}
	if checkNumber(p, field{pos: i, name: "confidence"}, r.Confidence) && r.Confidence != nil && (*r.Confidence < 0 || *r.Confidence > 1) {
		p.Add(f("confidence"), "must be between 0 and 1")
	}
	if e := r.Explanation; e != nil {
		checkShort(p, field{pos: i, name: "explanation.method"}, e.Method, false)
		if len(e.Attributions) > 1000 {
			p.Add(f("explanation.attributions"), "must have at most 1000 features")
		}
		for j, a := range e.Attributions {
			checkShort(p, field{i, "explanation.attributions[%d].feature", j}, a.Feature, true)
			if math.IsNaN(a.Value) || math.IsInf(a.Value, 0) {
				p.Add(field{i, "explanation.attributions[%d].value", j}.String(), "must be a finite number")
			}
		}
		if len(e.ReasonCodes) > 100 {
			p.Add(f("explanation.reason_codes"), "must have at most 100 codes")
		}
		for j, c := range e.ReasonCodes {
			checkShort(p, field{i, "explanation.reason_codes[%d]", j}, c, true)
		}
		checkLong(p, field{pos: i, name: "explanation.text"}, e.Text)
	}
	if len(r.Sensitive) > maxSensitive {
		p.Add(f("sensitive"), "must have at most %d attributes", maxSensitive)
	}
	for k, v := range r.Sensitive {
		if strings.TrimSpace(k) == "" || len(k) > maxText || !utf8.ValidString(k) {
			p.Add(f("sensitive"), "attribute names must be 1 to %d characters", maxText)
		}
		checkShort(p, field{pos: i, name: "sensitive." + k}, v, false)
	}
	checkShort(p, field{pos: i, name: "subject"}, r.Subject, false)
	if v := r.Review; v != nil {
		checkShort(p, field{pos: i, name: "review.reviewer"}, v.Reviewer, true)
		if v.Result != ReviewAgreed && v.Result != ReviewOverridden {
			p.Add(f("review.result"), "must be agreed or overridden")
		}
		checkShort(p, field{pos: i, name: "review.final"}, v.Final, false)
		checkLong(p, field{pos: i, name: "review.reason"}, v.Reason)
		if v.Time != nil && !timeInRange(*v.Time) {
			p.Add(f("review.time"), "must be a time between 1970 and 9999")
		}
		if v.Result == ReviewOverridden && v.Final == "" {
			p.Add(f("review.final"), "is required when the reviewer overrode the decision: the final decision")
		}
	}
}

// timeInRange reports whether t, in UTC, falls in the years the canonical
// form and both databases can hold.
func timeInRange(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y <= 9999
}

func checkShort(p *aims.Problems, f field, v string, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		p.Add(f.String(), "is required")
	case len(v) > maxText:
		p.Add(f.String(), "must be at most %d characters", maxText)
	case !utf8.ValidString(v):
		p.Add(f.String(), "must be valid UTF-8")
	}
}

func checkLong(p *aims.Problems, f field, v string) {
	if len(v) > maxLongText {
		p.Add(f.String(), "must be at most %d characters", maxLongText)
	} else if !utf8.ValidString(v) {
		p.Add(f.String(), "must be valid UTF-8")
	}
}

func checkNumber(p *aims.Problems, f field, v *float64) bool {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		p.Add(f.String(), "must be a finite number")
		return false
	}
	return true
}

// encoded is a record ready to store.
type encoded struct {
	modelID    string
	payload    []byte
	hash       tlog.Hash
	salt       []byte
	attributes []byte
}

// encode returns the record's canonical bytes, their hash and, when it has
// sensitive attributes, their salted commitment's parts.
func (r *Record) encode(systemID string, model canonicalModel) (*encoded, error) {
	c := canonical{V: recordVersion, System: systemID, ID: r.ID, Time: formatTime(r.Time), Model: model,
		InputsHash: strings.ToLower(r.InputsHash), Output: r.Output, Confidence: r.Confidence,
		Explanation: r.Explanation, Subject: r.Subject}
	// check left the inputs compact.
	c.Inputs = r.Inputs
	if v := r.Review; v != nil {
		c.Review = &canonicalRev{Reviewer: v.Reviewer, Result: v.Result, Final: v.Final, Reason: v.Reason}
		if v.Time != nil {
			c.Review.Time = formatTime(*v.Time)
		}
	}
	e := &encoded{modelID: model.ID}
	if len(r.Sensitive) > 0 {
		e.attributes = canonicalAttributes(r.Sensitive)
		e.salt = make([]byte, 16)
		if _, err := rand.Read(e.salt); err != nil {
			return nil, err
		}
		c.Sensitive = AttributesCommitment(e.salt, e.attributes)
	}
	e.payload = appendCanonical(make([]byte, 0, 512+len(c.Inputs)), &c)
	e.hash = sha256.Sum256(e.payload)
	return e, nil
}

// canonicalAttributes writes sensitive attributes as a JSON object with sorted keys.
func canonicalAttributes(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b := append(make([]byte, 0, 64), '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		// As json.Marshal writes the key and the value.
		b = appendQuoted(b, k, true)
		b = append(b, ':')
		b = appendQuoted(b, m[k], true)
	}
	return append(b, '}')
}

// AttributesCommitment is the hex SHA-256 of salt followed by the canonical
// attributes, which a record commits to instead of the attributes themselves.
func AttributesCommitment(salt, attributes []byte) string {
	h := sha256.New()
	h.Write(salt)
	h.Write(attributes)
	return hex.EncodeToString(h.Sum(nil))
}
