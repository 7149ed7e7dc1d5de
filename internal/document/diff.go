package document

import "strings"

// Comparison is a line-by-line comparison of two versions of a document.
type Comparison struct {
	DocumentRef string      `json:"document_ref"`
	From        VersionInfo `json:"from"`
	To          VersionInfo `json:"to"`
	// Added and Removed count the lines only in To and only in From.
	Added   int        `json:"added"`
	Removed int        `json:"removed"`
	Lines   []DiffLine `json:"lines" doc:"Every line of both texts in order: those in both, those only in the older (removed) and only in the newer (added)."`
}

// DiffLine is one line of a comparison.
type DiffLine struct {
	Op string `json:"op" enum:"same,added,removed"`
	// From and To are the line's numbers in each text, from 1; 0 where it is absent.
	From int    `json:"from"`
	To   int    `json:"to"`
	Text string `json:"text"`
}

// Operations of a comparison's lines.
const (
	OpSame    = "same"
	OpAdded   = "added"
	OpRemoved = "removed"
)

// maxCells bounds the table of the longest common subsequence; beyond it
// the differing middle of two texts is shown as removed and added whole.
const maxCells = 4 << 20

// diffLines compares two texts by lines: the longest common subsequence of
// the lines between their common beginning and end.
func diffLines(a, b string) []DiffLine {
	x, y := lines(a), lines(b)
	var out []DiffLine
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		out = append(out, DiffLine{Op: OpSame, From: pre + 1, To: pre + 1, Text: x[pre]})
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	mx, my := x[pre:len(x)-suf], y[pre:len(y)-suf]
	out = append(out, middle(mx, my, pre)...)
	for i := 0; i < suf; i++ {
		fi, ti := len(x)-suf+i, len(y)-suf+i
		out = append(out, DiffLine{Op: OpSame, From: fi + 1, To: ti + 1, Text: x[fi]})
	}
	return out
}

// middle compares the lines between the common beginning (of length off) and end.
func middle(x, y []string, off int) []DiffLine {
	n, m := len(x), len(y)
	var out []DiffLine
	if n == 0 || m == 0 || (n+1)*(m+1) > maxCells {
		for i, s := range x {
			out = append(out, DiffLine{Op: OpRemoved, From: off + i + 1, Text: s})
		}
		for j, s := range y {
			out = append(out, DiffLine{Op: OpAdded, To: off + j + 1, Text: s})
		}
		return out
	}
	// l[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	w := m + 1
	l := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i*w+j] = l[(i+1)*w+j+1] + 1
			} else {
				l[i*w+j] = max(l[(i+1)*w+j], l[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{Op: OpSame, From: off + i + 1, To: off + j + 1, Text: x[i]})
			i++
			j++
		case l[(i+1)*w+j] >= l[i*w+j+1]:
			out = append(out, DiffLine{Op: OpRemoved, From: off + i + 1, Text: x[i]})
			i++
		default:
			out = append(out, DiffLine{Op: OpAdded, To: off + j + 1, Text: y[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, DiffLine{Op: OpRemoved, From: off + i + 1, Text: x[i]})
	}
	for ; j < m; j++ {
		out = append(out, DiffLine{Op: OpAdded, To: off + j + 1, Text: y[j]})
	}
	return out
}

// lines splits a text into its lines; an empty text has none.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
