package repart

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
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
	// Encrypted partitions (LUKS2 with random keys) are not reproducible:
	// the JSON report says so with "reproducible" : false (a key repart
	// does not print; it appears only when a partition is encrypted).
	Encrypted bool
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
		if label == "" && p.Foreign {
			// repart shows a foreign partition without a name by its
			// type's name (partition_label).
			label = p.Type.Name
		}
		if label == "" {
			label = "-"
		}
		r := ReportRow{
			Type: typeString(p.Type), Label: label, UUID: formatUUID(TableUUID(p.Partition, out.Roots)), PartNo: p.PartNo,
			File: p.Def.Path, Node: image + strconv.Itoa(p.PartNo+1), Offset: p.Offset,
			RawSize: p.Size, RawPad: p.Padding, Activity: "create", DropIns: p.Def.DropIns,
			Foreign: p.Foreign, Encrypted: !p.Exists && encrypted(p.Partition),
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

// ReportStyle is what of repart's environment changes its report.
type ReportStyle struct {
	// Debug shows every column, as repart does when it logs at debug
	// level (SYSTEMD_LOG_LEVEL=debug): the JSON report gains "size" and
	// "padding", the human-readable changes.
	Debug bool
	// ASCII draws the arrow of a change as "->" rather than "→", as
	// repart does when the locale is not UTF-8 (SYSTEMD_UTF8=0).
	ASCII bool
}

func (st ReportStyle) arrow() string {
	if st.ASCII {
		return "->"
	}
	return "→"
}

func (st ReportStyle) sigma() string {
	if st.ASCII {
		return "S"
	}
	return "Σ"
}

// change is repart's format_size_change(): the size alone when it does
// not change, "old → new" when it does, "→ new" for a new partition.
func (st ReportStyle) change(r ReportRow, old, now uint64) string {
	switch {
	case r.Activity == "create":
		return st.arrow() + " " + FormatBytes(now)
	case old == now:
		return FormatBytes(old)
	}
	return FormatBytes(old) + " " + st.arrow() + " " + FormatBytes(now)
}

// JSON renders rows as repart does: pretty is tab-indented with " : "
// separators and a trailing newline; otherwise compact on one line.
// The roothash, drop-in_files and split_path keys appear only when some
// row has a value for them.
func JSON(rows []ReportRow, pretty bool) []byte { return StyledJSON(rows, pretty, ReportStyle{}) }

// StyledJSON is JSON in the given style.
func StyledJSON(rows []ReportRow, pretty bool, st ReportStyle) []byte {
	var anyHash, anyDropIn, anySplit, anyEncrypted bool
	for _, r := range rows {
		anyHash = anyHash || r.RootHash != ""
		anyDropIn = anyDropIn || len(r.DropIns) > 0
		anySplit = anySplit || r.SplitPath != ""
		anyEncrypted = anyEncrypted || r.Encrypted
	}
	if len(rows) == 0 {
		return []byte("[]\n")
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
			{"raw_size", r.RawSize},
		}
		if st.Debug {
			fields = append(fields, jsonField{"size", st.change(r, r.OldSize, r.RawSize)})
		}
		fields = append(fields, jsonField{"old_padding", r.OldPad}, jsonField{"raw_padding", r.RawPad})
		if st.Debug {
			fields = append(fields, jsonField{"padding", st.change(r, r.OldPad, r.RawPad)})
		}
		fields = append(fields, jsonField{"activity", r.Activity})
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
		if anyEncrypted {
			fields = append(fields, jsonField{"reproducible", !r.Encrypted})
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
			case bool:
				b.WriteString(strconv.FormatBool(v))
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

// Table renders the human table repart prints without --json=, with its
// header and Σ footer.
func Table(rows []ReportRow) string { return StyledTable(rows, ReportStyle{}, true) }

// StyledTable is Table in the given style; legend false leaves out the
// header (--no-legend). The columns are repart's: type, label, uuid,
// partition number, file (base name), raw size, size and padding (with
// every other column under debug logging), then root hash, drop-in files
// and split path when some row has them. Numbers are right-aligned.
func StyledTable(rows []ReportRow, st ReportStyle, legend bool) string {
	var anyHash, anyDropIn, anySplit bool
	for _, r := range rows {
		anyHash = anyHash || r.RootHash != ""
		anyDropIn = anyDropIn || len(r.DropIns) > 0
		anySplit = anySplit || r.SplitPath != ""
	}
	type column struct {
		name  string
		right bool
		cell  func(ReportRow) string
		debug bool // shown under debug logging only
		show  bool
	}
	num := func(v uint64) string { return strconv.FormatUint(v, 10) }
	cols := []column{
		{name: "TYPE", cell: func(r ReportRow) string { return r.Type }},
		{name: "LABEL", cell: func(r ReportRow) string { return r.Label }},
		{name: "UUID", cell: func(r ReportRow) string { return r.UUID }},
		{name: "PART", right: true, cell: func(r ReportRow) string { return strconv.Itoa(r.PartNo) }},
		{name: "FILE", cell: func(r ReportRow) string {
			if r.Foreign {
				return "-"
			}
			return r.File[strings.LastIndexByte(r.File, '/')+1:]
		}},
		{name: "NODE", debug: true, cell: func(r ReportRow) string { return r.Node }},
		{name: "OFFSET", right: true, debug: true, cell: func(r ReportRow) string { return num(r.Offset) }},
		{name: "OLD SIZE", right: true, debug: true, cell: func(r ReportRow) string { return num(r.OldSize) }},
		{name: "RAW SIZE", right: true, cell: func(r ReportRow) string { return num(r.RawSize) }},
		{name: "SIZE", right: true, cell: func(r ReportRow) string { return st.change(r, r.OldSize, r.RawSize) }},
		{name: "OLD PADDING", debug: true, cell: func(r ReportRow) string { return num(r.OldPad) }},
		{name: "RAW PADDING", right: true, debug: true, cell: func(r ReportRow) string { return num(r.RawPad) }},
		{name: "PADDING", right: true, cell: func(r ReportRow) string { return st.change(r, r.OldPad, r.RawPad) }},
		{name: "ACTIVITY", debug: true, cell: func(r ReportRow) string { return r.Activity }},
		{name: "ROOTHASH", show: anyHash, cell: func(r ReportRow) string { return orDash(r.RootHash) }},
		{name: "DROP-IN FILES", show: anyDropIn, cell: func(r ReportRow) string { return strings.Join(r.DropIns, "\n") }},
		{name: "SPLIT PATH", show: anySplit, cell: func(r ReportRow) string { return orDash(r.SplitPath) }},
	}
	var shown []column
	for i, c := range cols {
		if i < 14 && (!c.debug || st.Debug) || c.show {
			shown = append(shown, c)
		}
	}
	var lines [][]string
	if legend {
		var h []string
		for _, c := range shown {
			h = append(h, c.name)
		}
		lines = append(lines, h)
	}
	var sumSize, sumPad uint64
	for _, r := range rows {
		// A cell of several lines (drop-in files) makes as many lines.
		var cells [][]string
		height := 1
		for _, c := range shown {
			v := strings.Split(c.cell(r), "\n")
			cells = append(cells, v)
			height = max(height, len(v))
		}
		for k := 0; k < height; k++ {
			line := make([]string, len(shown))
			for i := range shown {
				if k < len(cells[i]) {
					line[i] = cells[i][k]
				}
			}
			lines = append(lines, line)
		}
		sumSize += r.RawSize
		sumPad += r.RawPad
	}
	if sumSize > 0 || sumPad > 0 {
		foot := make([]string, len(shown))
		for i, c := range shown {
			switch c.name {
			case "SIZE":
				foot[i] = st.sigma() + " = " + FormatBytes(sumSize)
			case "PADDING":
				foot[i] = st.sigma() + " = " + FormatBytes(sumPad)
			}
		}
		lines = append(lines, foot)
	}
	widths := make([]int, len(shown))
	for _, line := range lines {
		for i, c := range line {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, line := range lines {
		for i, c := range line {
			if i > 0 {
				b.WriteByte(' ')
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case shown[i].right:
				b.WriteString(pad + c)
			case i < len(line)-1:
				b.WriteString(c + pad)
			default:
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
