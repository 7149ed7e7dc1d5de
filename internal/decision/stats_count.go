package decision

import (
	"strconv"
)

// counter counts new decisions compactly for the statistics: strings are
// numbered once, and the groups of a decision's sensitive attributes are
// counted as the one list they form, so that a decision costs a few map
// updates; tally expands the counts.
type counter struct {
	strs    []string
	ids     map[string]int32
	lists   [][]group        // group lists, by number
	listIDs map[string]int32 // group lists' numbers by canonical attributes
	// decisions, scores and inputs count by numbered strings.
	decisions map[decisionCell]int64
	scores    map[scoreCell]int64
	inputs    map[inputCell]int64
	numbers   map[numberCell]int64
}

type decisionCell struct {
	hour                   int64
	model, predicted, list int32
}

type scoreCell struct {
	day   int64
	model int32
	score float64
}

// inputCell counts a text or boolean input by the numbers of its name's
// and value's JSON text; kind is 's' (string) or 'b' (boolean).
type inputCell struct {
	day                int64
	model, name, value int32
	kind               byte
}

// numberCell counts a number input, rounded to three significant digits,
// by the number of its name's JSON text.
type numberCell struct {
	day         int64
	model, name int32
	value       float64
}

func newCounter() *counter {
	return &counter{ids: map[string]int32{}, listIDs: map[string]int32{}, decisions: map[decisionCell]int64{},
		scores: map[scoreCell]int64{}, inputs: map[inputCell]int64{}, numbers: map[numberCell]int64{}}
}

// id numbers a string; looking up a string made from bytes does not copy them.
func (c *counter) id(b []byte) int32 {
	if n, ok := c.ids[string(b)]; ok {
		return n
	}
	return c.str(string(b))
}

// str numbers a string.
func (c *counter) str(s string) int32 {
	if n, ok := c.ids[s]; ok {
		return n
	}
	n := int32(len(c.strs))
	c.strs = append(c.strs, s)
	c.ids[s] = n
	return n
}

// record adds sign times what a new decision brings: its counts, score and
// inputs. attributes are the record's canonical sensitive attributes.
func (c *counter) record(r *Record, model string, attributes []byte, sign int64) {
	list, ok := c.listIDs[string(attributes)]
	if !ok {
		list = int32(len(c.lists))
		c.lists = append(c.lists, groupsOf(r.Sensitive))
		c.listIDs[string(attributes)] = list
	}
	at := r.Time.UTC()
	m := c.str(model)
	c.decisions[decisionCell{hourOf(at), m, c.str(r.Output.Label), list}] += sign
	day := floorTo(at.Unix(), daySpan)
	if r.Output.Score != nil {
		c.scores[scoreCell{day, m, roundScore(*r.Output.Score)}] += sign
	}
	if len(r.Inputs) == 0 {
		return
	}
	n := 0
	scanInputs(r.Inputs, func(name, value []byte, kind byte) bool {
		n++
		if kind != 'n' {
			c.inputs[inputCell{day, m, c.id(name), c.id(value), kind}] += sign
		} else if v, err := strconv.ParseFloat(string(value), 64); err == nil {
			c.numbers[numberCell{day, m, c.id(name), roundSignificant(v, 3)}] += sign
		}
		return n < maxInputFeatures
	})
}

// tally expands the counts.
func (c *counter) tally() *tally {
	t := newTally()
	for k, n := range c.decisions {
		model, predicted := c.strs[k.model], c.strs[k.predicted]
		for _, g := range c.lists[k.list] {
			t.counts[countKey{k.hour, model, g.feature, g.value, predicted, ""}] += n
		}
	}
	for k, n := range c.scores {
		t.scores[scoreKey{k.day, c.strs[k.model], "", k.score}] += n
	}
	names := map[int32]string{}
	name := func(id int32) string {
		s, ok := names[id]
		if !ok {
			s = unquote([]byte(c.strs[id]))
			names[id] = s
		}
		return s
	}
	for k, n := range c.inputs {
		key := inputKey{day: k.day, model: c.strs[k.model], feature: name(k.name), value: c.strs[k.value]}
		if k.kind == 's' {
			key.value = truncateUTF8(unquote([]byte(key.value)), maxCategory)
		}
		t.inputs[key] += n
	}
	for k, n := range c.numbers {
		t.inputs[inputKey{day: k.day, model: c.strs[k.model], feature: name(k.name), value: strconv.FormatFloat(k.value, 'g', 3, 64), numeric: true}] += n
	}
	return t
}
