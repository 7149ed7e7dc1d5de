package pdftext

import "testing"

func TestLatin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Zoë – €5", "Zo\xeb \x96 \x805"}, // Windows-1252 has ë, the en dash and the euro
		{"Łódź → Kraków", "L\xf3dz -> Krak\xf3w"},
		{"Ő\tő", "O o"},
		{"漢\x01字", "??"},
		{"a\nb", "a\nb"},
	}
	for _, tc := range tests {
		if got := Latin(tc.in); got != tc.want {
			t.Errorf("Latin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
