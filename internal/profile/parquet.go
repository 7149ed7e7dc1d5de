package profile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// ProfileParquet profiles a Parquet file of size bytes. It hashes the file
// first (Parquet is read at random, from the footer) and then reads its row
// groups in order, a batch of rows at a time. The schema must be flat:
// nested and repeated columns are refused. Column types come from the
// schema's physical types: integers are integer, floating point is number,
// boolean is boolean, and byte arrays and INT96 are text; a null or NaN is
// missing. Progress counts rows.
func ProfileParquet(r io.ReaderAt, size int64, opt Options) (*Result, error) {
	if opt.Format != "" && opt.Format != "parquet" {
		return nil, invalid("format", "ProfileParquet reads Parquet, not %q", opt.Format)
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, err
	}
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, badData("not a Parquet file: %v", err)
	}
	var names []string
	var types []Type
	for _, field := range f.Schema().Fields() {
		if !field.Leaf() || field.Repeated() {
			return nil, badData("column %q is nested or repeated; only flat tables can be profiled", field.Name())
		}
		names = append(names, field.Name())
		types = append(types, parquetType(field.Type().Kind()))
	}
	p, err := newProfiler(names, types, opt)
	if err != nil {
		return nil, err
	}
	defer p.close()
	total, done, last := f.NumRows(), int64(0), int64(0)
	fields := make([]string, len(names))
	batch := make([]parquet.Row, 512)
	var num []byte
	for _, rg := range f.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(batch)
			for _, row := range batch[:n] {
				clear(fields) // a column absent from the row is null
				for _, v := range row {
					fields[v.Column()], num = parquetText(v, num)
				}
				if err := p.add(fields); err != nil {
					rows.Close()
					return nil, err
				}
			}
			done += int64(n)
			if opt.Progress != nil && done-last >= max(total/100, 1) {
				last = done
				opt.Progress(done, total)
			}
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("cannot read Parquet rows: %w", err)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	if opt.Progress != nil {
		opt.Progress(done, max(total, done))
	}
	res, err := p.result()
	if err != nil {
		return nil, err
	}
	res.Format, res.Bytes, res.SHA256 = "parquet", size, hex.EncodeToString(sum.Sum(nil))
	res.Read.Header = true // names come from the schema
	return res, nil
}

func parquetType(k parquet.Kind) Type {
	switch k {
	case parquet.Boolean:
		return Boolean
	case parquet.Int32, parquet.Int64:
		return Integer
	case parquet.Float, parquet.Double:
		return Number
	}
	return Text
}

// parquetText is a value as text, the form the profiler counts; null is "".
func parquetText(v parquet.Value, buf []byte) (string, []byte) {
	if v.IsNull() {
		return "", buf
	}
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean()), buf
	case parquet.Int32:
		buf = strconv.AppendInt(buf[:0], int64(v.Int32()), 10)
	case parquet.Int64:
		buf = strconv.AppendInt(buf[:0], v.Int64(), 10)
	case parquet.Float, parquet.Double:
		x, bits := v.Double(), 64
		if v.Kind() == parquet.Float {
			x, bits = float64(v.Float()), 32
		}
		if math.IsNaN(x) {
			return "", buf
		}
		buf = strconv.AppendFloat(buf[:0], x, 'g', -1, bits)
	case parquet.ByteArray, parquet.FixedLenByteArray:
		return string(v.ByteArray()), buf
	default:
		return v.String(), buf
	}
	return string(buf), buf
}
