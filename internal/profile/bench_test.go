package profile

import (
	"bytes"
	"encoding/csv"
	"io"
	"os"
	"testing"
	"time"
)

// BenchmarkProfile profiles adult.data from memory and reports, besides
// MB/s, the ratio of its time to a baseline measured in the same run: only
// reading and parsing the same bytes with encoding/csv.
func BenchmarkProfile(b *testing.B) {
	data, err := os.ReadFile(sharedData(b, "adult.data"))
	if err != nil {
		b.Fatal(err)
	}
	baseNs := baseline(b, data)
	opt := adultOptions()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Profile(bytes.NewReader(data), int64(len(data)), opt); err != nil {
			b.Fatal(err)
		}
	}
	perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
	b.ReportMetric(float64(len(data))/baseNs*1e3, "baseline-MB/s")
	b.ReportMetric(perOp/baseNs, "x-baseline-time")
}

// baseline is the nanoseconds it takes to parse data with encoding/csv,
// measured over at least half a second and five parses.
func baseline(b *testing.B, data []byte) float64 {
	start, n := time.Now(), 0
	for ; n < 5 || time.Since(start) < 500*time.Millisecond; n++ {
		r := csv.NewReader(bytes.NewReader(data))
		r.ReuseRecord = true
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
