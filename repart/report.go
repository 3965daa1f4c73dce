package repart

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// ReportRow is one partition of repart's --json report (spec §6).
type ReportRow struct {
	Type      string
	Label     string
	UUID      string
	PartNo    int
	File      string
	Node      string
	Offset    uint64
	OldSize   uint64
	RawSize   uint64
	OldPad    uint64
	RawPad    uint64
	Activity  string
	RootHash  string // "" none, "TBD" deferred
	DropIns   []string
	SplitPath string // "" when --split is off
	Foreign   bool   // no definition: "file" is null
}

// Outcome is what the assembler learned while writing: the root hash of
// every verity group written (by VerityMatchKey), the split file of every
// partition that got one, and the partitions deferred (not written).
type Outcome struct {
	Roots    map[string][]byte
	Splits   map[*Partition]string
	Deferred map[*Partition]bool
}

// Report builds the rows for every placed (non-dropped) partition.
// image is the image path as the user gave it (nodes are image+N).
func Report(l *Layout, out Outcome, image string, split bool) []ReportRow {
	var rows []ReportRow
	for _, p := range l.Partitions {
		if p.Dropped {
			continue
		}
		label := p.Label
		if label == "" {
			label = "-"
		}
		r := ReportRow{
			Type: typeString(p.Type), Label: label, UUID: formatUUID(TableUUID(p.Partition, out.Roots)), PartNo: p.PartNo,
			File: p.Def.Path, Node: image + strconv.Itoa(p.PartNo+1), Offset: p.Offset,
			RawSize: p.Size, RawPad: p.Padding, Activity: "create", DropIns: p.Def.DropIns,
			Foreign: p.Foreign,
		}
		if p.Exists {
			r.OldSize, r.OldPad = p.CurrentSize, p.CurrentPadding
			r.Activity = "unchanged"
			if p.Size != p.CurrentSize {
				r.Activity = "resize"
			}
		}
		if root := out.Roots[p.Def.VerityMatchKey]; root != nil && p.Def.Verity != 0 {
			r.RootHash = hex.EncodeToString(root)
		} else if p.Def.Verity != 0 && out.Deferred[p.Partition] {
			r.RootHash = "TBD"
		}
		if split {
			r.SplitPath = "-"
			if sp := out.Splits[p.Partition]; sp != "" {
				r.SplitPath = sp
			}
		}
		rows = append(rows, r)
	}
	return rows
}

type jsonField struct {
	key string
	val any // string, uint64, int, nil, []string
}

// JSON renders rows as repart does: pretty is tab-indented with " : "
// separators and a trailing newline; otherwise compact on one line.
// The roothash, drop-in_files and split_path keys appear only when some
// row has a value for them.
func JSON(rows []ReportRow, pretty bool) []byte {
	var anyHash, anyDropIn, anySplit bool
	for _, r := range rows {
		anyHash = anyHash || r.RootHash != ""
		anyDropIn = anyDropIn || len(r.DropIns) > 0
		anySplit = anySplit || r.SplitPath != ""
	}
	var b bytes.Buffer
	nl, ind := "", ""
	sep := ":"
	if pretty {
		nl, ind, sep = "\n", "\t", " : "
	}
	b.WriteString("[" + nl)
	for i, r := range rows {
		fields := []jsonField{
			{"type", r.Type}, {"label", r.Label}, {"uuid", r.UUID}, {"partno", r.PartNo},
			{"file", fileValue(r)}, {"node", r.Node}, {"offset", r.Offset}, {"old_size", r.OldSize},
			{"raw_size", r.RawSize}, {"old_padding", r.OldPad}, {"raw_padding", r.RawPad},
			{"activity", r.Activity},
		}
		if anyHash {
			var v any
			if r.RootHash != "" {
				v = r.RootHash
			}
			fields = append(fields, jsonField{"roothash", v})
		}
		if anyDropIn {
			fields = append(fields, jsonField{"drop-in_files", r.DropIns})
		}
		if anySplit {
			fields = append(fields, jsonField{"split_path", r.SplitPath})
		}
		b.WriteString(ind + "{" + nl)
		for j, f := range fields {
			b.WriteString(ind + ind + jsonString(f.key) + sep)
			switch v := f.val.(type) {
			case nil:
				b.WriteString("null")
			case string:
				b.WriteString(jsonString(v))
			case int:
				b.WriteString(strconv.Itoa(v))
			case uint64:
				b.WriteString(strconv.FormatUint(v, 10))
			case []string:
				if len(v) == 0 {
					b.WriteString("[]")
					break
				}
				b.WriteString("[" + nl)
				for k, s := range v {
					b.WriteString(strings.Repeat(ind, 3) + jsonString(s))
					if k < len(v)-1 {
						b.WriteString(",")
					}
					b.WriteString(nl)
				}
				b.WriteString(ind + ind + "]")
			}
			if j < len(fields)-1 {
				b.WriteString(",")
			}
			b.WriteString(nl)
		}
		b.WriteString(ind + "}")
		if i < len(rows)-1 {
			b.WriteString(",")
		}
		b.WriteString(nl)
	}
	b.WriteString("]\n")
	return b.Bytes()
}

func fileValue(r ReportRow) any {
	if r.Foreign {
		return nil
	}
	return r.File
}

func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// Table renders the human table repart prints (non-JSON mode): type,
// label, uuid, partno, file (base name), raw size, size, padding, and the
// optional columns, with a Σ footer.
func Table(rows []ReportRow) string {
	var anyHash, anySplit bool
	for _, r := range rows {
		anyHash = anyHash || r.RootHash != ""
		anySplit = anySplit || r.SplitPath != ""
	}
	header := []string{"TYPE", "LABEL", "UUID", "PARTNO", "FILE", "NODE", "SIZE", "PADDING"}
	if anyHash {
		header = append(header, "ROOTHASH")
	}
	if anySplit {
		header = append(header, "SPLIT PATH")
	}
	cells := [][]string{header}
	var sumSize, sumPad uint64
	for _, r := range rows {
		file := r.File
		if i := strings.LastIndexByte(file, '/'); i >= 0 {
			file = file[i+1:]
		}
		row := []string{r.Type, r.Label, r.UUID, strconv.Itoa(r.PartNo), file, r.Node,
			"→ " + FormatBytes(r.RawSize), "→ " + FormatBytes(r.RawPad)}
		if anyHash {
			row = append(row, orDash(r.RootHash))
		}
		if anySplit {
			row = append(row, orDash(r.SplitPath))
		}
		cells = append(cells, row)
		sumSize += r.RawSize
		sumPad += r.RawPad
	}
	foot := make([]string, len(header))
	foot[5] = "Σ ="
	foot[6] = "→ " + FormatBytes(sumSize)
	foot[7] = "→ " + FormatBytes(sumPad)
	cells = append(cells, foot)
	widths := make([]int, len(header))
	for _, row := range cells {
		for i, c := range row {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, row := range cells {
		for i, c := range row {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(c)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))))
			}
		}
		b.WriteString(strings.TrimRight("", " ") + "\n")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
