// Package pdftext prepares text for PDFs drawn with the core fonts, whose
// encoding is Windows-1252: the SoA, the risk register and impact
// assessment exports all write through it.
package pdftext

import (
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// substitutes stand in for characters the Windows-1252 fonts lack.
var substitutes = map[rune]string{
	'→': "->", '←': "<-", '⇒': "=>", '≤': "<=", '≥': ">=", '≠': "!=", '−': "-", '‐': "-", '‑': "-",
	'‒': "-", '―': "-", '✓': "v", '✔': "v", '✗': "x", '\u2009': " ", '\u202f': " ",
	'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ø': "o", 'ı': "i",
}

// Latin turns UTF-8 text into the Windows-1252 bytes of the PDF's core
// fonts: characters that have no place there lose their accents or take a
// look-alike, and anything else becomes "?".
func Latin(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
			continue
		case r == '\t':
			b.WriteByte(' ')
			continue
		case r < 0x20 || r == 0x7f:
			continue
		case r < 0x80:
			b.WriteByte(byte(r))
			continue
		}
		if c, ok := charmap.Windows1252.EncodeRune(r); ok {
			b.WriteByte(c)
			continue
		}
		if alt, ok := substitutes[r]; ok {
			b.WriteString(Latin(alt))
			continue
		}
		// Without its accents, a letter may fit: ő becomes o.
		if base := []rune(norm.NFKD.String(string(r))); len(base) > 0 && base[0] != r {
			if c, ok := charmap.Windows1252.EncodeRune(base[0]); ok {
				b.WriteByte(c)
				continue
			}
		}
		b.WriteByte('?')
	}
	return b.String()
}
