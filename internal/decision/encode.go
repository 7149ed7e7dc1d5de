package decision

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// appendCanonical writes c as compact JSON with its fields in declaration
// order, as encoding/json would, without reflection: ingest encodes every
// record, so this is on the hot path. Strings are valid UTF-8 by validation
// and inputs are compact JSON already.
func appendCanonical(b []byte, c *canonical) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(c.V), 10)
	b = appendField(b, "system", c.System)
	b = appendField(b, "id", c.ID)
	b = appendField(b, "time", c.Time)
	b = append(b, `,"model":{"id":`...)
	b = appendString(b, c.Model.ID)
	b = append(b, `,"key":`...)
	b = appendString(b, c.Model.Key)
	b = append(b, '}')
	if len(c.Inputs) > 0 {
		b = append(b, `,"inputs":`...)
		b = append(b, c.Inputs...)
	}
	b = appendOmit(b, "inputs_hash", c.InputsHash)
	b = append(b, `,"output":{`...)
	sep := false
	if c.Output.Label != "" {
		b = append(b, `"label":`...)
		b = appendString(b, c.Output.Label)
		sep = true
	}
	if c.Output.Score != nil {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"score":`...)
		b = appendFloat(b, *c.Output.Score)
	}
	b = append(b, '}')
	if c.Confidence != nil {
		b = append(b, `,"confidence":`...)
		b = appendFloat(b, *c.Confidence)
	}
	if e := c.Explanation; e != nil {
		b = append(b, `,"explanation":{`...)
		n := len(b)
		if e.Method != "" {
			b = append(b, `"method":`...)
			b = appendString(b, e.Method)
		}
		if len(e.Attributions) > 0 {
			b = comma(b, n)
			b = append(b, `"attributions":[`...)
			for i, a := range e.Attributions {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"feature":`...)
				b = appendString(b, a.Feature)
				b = append(b, `,"value":`...)
				b = appendFloat(b, a.Value)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		if len(e.ReasonCodes) > 0 {
			b = comma(b, n)
			b = append(b, `"reason_codes":[`...)
			for i, rc := range e.ReasonCodes {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, rc)
			}
			b = append(b, ']')
		}
		if e.Text != "" {
			b = comma(b, n)
			b = append(b, `"text":`...)
			b = appendString(b, e.Text)
		}
		b = append(b, '}')
	}
	b = appendOmit(b, "subject", c.Subject)
	if r := c.Review; r != nil {
		b = append(b, `,"review":{"reviewer":`...)
		b = appendString(b, r.Reviewer)
		b = appendField(b, "result", r.Result)
		b = appendOmit(b, "final", r.Final)
		b = appendOmit(b, "reason", r.Reason)
		b = appendOmit(b, "time", r.Time)
		b = append(b, '}')
	}
	b = appendOmit(b, "sensitive", c.Sensitive)
	return append(b, '}')
}

// comma separates a member from the ones written since offset n.
func comma(b []byte, n int) []byte {
	if len(b) > n {
		return append(b, ',')
	}
	return b
}

func appendField(b []byte, name, v string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

func appendOmit(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendField(b, name, v)
}

// appendFloat writes a finite number as encoding/json does.
func appendFloat(b []byte, f float64) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// plainASCII marks the ASCII bytes a JSON string holds as they are;
// htmlASCII marks those json.Marshal escapes too.
var plainASCII, htmlASCII = func() (plain, html [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
	}
	html['<'], html['>'], html['&'] = true, true, true
	return plain, html
}()

// appendString writes s as a JSON string, escaping what JSON requires and,
// as encoding/json does, U+2028 and U+2029; HTML characters are left as they are.
func appendString(b []byte, s string) []byte { return appendQuoted(b, s, false) }

// appendQuoted writes s as a JSON string as appendString does, and with
// html also escapes <, > and & as json.Marshal does.
func appendQuoted(b []byte, s string, html bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plainASCII[c] && (!html || !htmlASCII[c]) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// formatTime writes t as timeFormat does, in UTC, for a year between 0 and
// 9999, without parsing the layout: ingest writes a time per record.
func formatTime(t time.Time) string {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, sec := t.Clock()
	var b [len(timeFormat)]byte
	put := func(at, v, digits int) {
		for i := at + digits - 1; i >= at; i-- {
			b[i] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond()/1000, 6)
	b[26] = 'Z'
	return string(b[:])
}
