package definitions

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/gorepart/gorepart/fstree"
)

// stripSentinel is the value nixpkgs' mkMergedOptionModule leaves in
// stripNixStorePrefix when the option is unset.
const stripSentinel = "_mkMergedOptionModule"

// maxClosureFile bounds the closure file read into memory (real ones are a
// few hundred KiB).
const maxClosureFile = 256 << 20

// manifestPartition is one partition of an image.repart manifest.
type manifestPartition struct {
	name   string
	copies []fstree.Copy
	// config is repartConfig rendered to assignments (arrays give one
	// assignment per element), in key order; nil when absent.
	config    []assignment
	hasConfig bool
	file      string // position prefix for errors: "<manifest>[<name>]"
}

// readManifest parses a manifest (every nixpkgs era, see
// docs/spec/nixpkgs-manifest.md): contents, closure, storePaths,
// nixStorePrefix, stripNixStorePrefix and repartConfig. name is the file
// name used in messages.
func readManifest(name string, r io.Reader) ([]*manifestPartition, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &Error{Pos: Position{File: name}, Msg: "reading manifest", Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	top, err := decodeOrdered(dec)
	if err == nil {
		if _, e := dec.Token(); e != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	if err != nil {
		return nil, &Error{Pos: Position{File: name}, Msg: "manifest is not valid JSON", Err: err}
	}
	obj, ok := top.(orderedObject)
	if !ok {
		return nil, &Error{Pos: Position{File: name}, Msg: "manifest must be a JSON object of partitions"}
	}
	var out []*manifestPartition
	for _, kv := range obj {
		p, err := manifestPart(name, kv.key, kv.value)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func manifestPart(file, name string, v any) (*manifestPartition, error) {
	pos := func(key string) Position { return Position{File: file + "[" + name + "]", Key: key} }
	if !filenameValid(name + ".conf") {
		return nil, &Error{Pos: Position{File: file}, Msg: "invalid partition name " + quote(name)}
	}
	obj, ok := v.(orderedObject)
	if !ok {
		return nil, &Error{Pos: pos(""), Msg: "partition entry must be a JSON object"}
	}
	mp := &manifestPartition{name: name, file: file + "[" + name + "]"}
	f := map[string]any{}
	for _, kv := range obj {
		f[kv.key] = kv.value
	}
	prefix := "/nix/store"
	if s, ok := f["stripNixStorePrefix"]; ok {
		switch s := s.(type) {
		case bool:
			if s {
				prefix = "/"
			}
		case string:
			if s != stripSentinel {
				return nil, &Error{Pos: pos("stripNixStorePrefix"), Msg: "must be true, false or " + quote(stripSentinel) + ", not " + quote(s)}
			}
		case nil:
		default:
			return nil, &Error{Pos: pos("stripNixStorePrefix"), Msg: "must be a boolean"}
		}
	}
	if s, ok := f["nixStorePrefix"]; ok && s != nil {
		str, ok := s.(string)
		if !ok || !strings.HasPrefix(str, "/") {
			return nil, &Error{Pos: pos("nixStorePrefix"), Msg: "must be an absolute path"}
		}
		prefix = str
	}
	if c, ok := f["contents"]; ok && c != nil {
		co, ok := c.(orderedObject)
		if !ok {
			return nil, &Error{Pos: pos("contents"), Msg: "must be an object of target: {source: path}"}
		}
		for _, kv := range co {
			p := pos("contents[" + quote(kv.key) + "]")
			e, ok := kv.value.(orderedObject)
			var src string
			if ok {
				for _, x := range e {
					if x.key == "source" {
						src, ok = x.value.(string)
					}
				}
			}
			if !ok || src == "" {
				return nil, &Error{Pos: p, Msg: "entry needs a \"source\" string"}
			}
			tgt, err := simplifyAbsPath(kv.key, false)
			if err != nil {
				return nil, &Error{Pos: p, Msg: "invalid target", Err: err}
			}
			mp.copies = append(mp.copies, fstree.Copy{Source: src, Target: tgt, HostPath: true, Origin: p.String()})
		}
	}
	var storePaths []string
	if sp, ok := f["storePaths"]; ok && sp != nil {
		arr, ok := sp.([]any)
		if !ok {
			return nil, &Error{Pos: pos("storePaths"), Msg: "must be an array of paths"}
		}
		for _, x := range arr {
			s, ok := x.(string)
			if !ok || !strings.HasPrefix(s, "/") {
				return nil, &Error{Pos: pos("storePaths"), Msg: "must hold absolute paths"}
			}
			storePaths = append(storePaths, s)
		}
	}
	if cl, ok := f["closure"]; ok && cl != nil {
		s, ok := cl.(string)
		if !ok || s == "" {
			return nil, &Error{Pos: pos("closure"), Msg: "must be the path of a store-paths file"}
		}
		if st, err := os.Stat(s); err == nil && (!st.Mode().IsRegular() || st.Size() > maxClosureFile) {
			return nil, &Error{Pos: pos("closure"), Msg: "closure " + quote(s) + " is not a regular file of at most 256 MiB"}
		}
		data, err := os.ReadFile(s)
		if err != nil {
			return nil, &Error{Pos: pos("closure"), Msg: "reading closure file", Err: err}
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 64*1024), 1<<20)
		n := 0
		for sc.Scan() {
			n++
			l := strings.TrimSpace(sc.Text())
			if l == "" {
				continue
			}
			if !strings.HasPrefix(l, "/") {
				return nil, &Error{Pos: Position{File: s, Line: n}, Msg: "closure entry is not an absolute path: " + quote(l)}
			}
			mp.copies = append(mp.copies, fstree.Copy{Source: l, Target: path.Join(prefix, path.Base(l)), HostPath: true,
				Origin: s + ":" + itoa(n)})
		}
		if err := sc.Err(); err != nil {
			return nil, &Error{Pos: pos("closure"), Msg: "reading closure file", Err: err}
		}
	} else {
		// The earliest manifests had no closure: each store path is
		// copied as itself.
		for _, s := range storePaths {
			p := path.Clean(s)
			mp.copies = append(mp.copies, fstree.Copy{Source: s, Target: p, HostPath: true, Origin: pos("storePaths").String()})
		}
	}
	if rc, ok := f["repartConfig"]; ok && rc != nil {
		o, ok := rc.(orderedObject)
		if !ok {
			return nil, &Error{Pos: pos("repartConfig"), Msg: "must be an object of [Partition] keys"}
		}
		mp.hasConfig = true
		for _, kv := range o {
			vals, err := renderValue(kv.value)
			if err != nil {
				return nil, &Error{Pos: pos(kv.key), Msg: "cannot render repartConfig value", Err: err}
			}
			for _, v := range vals {
				mp.config = append(mp.config, assignment{Key: kv.key, Value: v})
			}
		}
	}
	for _, c := range mp.copies {
		if _, err := os.Lstat(c.Source); err != nil {
			return nil, &Error{Pos: pos("contents"), Msg: "copy source " + quote(c.Source) + " (for " + quote(c.Target) + ") is missing", Err: err}
		}
	}
	return mp, nil
}

// renderValue renders a repartConfig value as nixpkgs' INI generator
// does: strings as is, booleans true/false, numbers bare, arrays one
// value per element.
func renderValue(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case bool:
		if v {
			return []string{"true"}, nil
		}
		return []string{"false"}, nil
	case json.Number:
		return []string{v.String()}, nil
	case []any:
		var out []string
		for _, e := range v {
			if _, nested := e.([]any); nested {
				return nil, errors.New("nested arrays are not allowed")
			}
			r, err := renderValue(e)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
		return out, nil
	case nil:
		return nil, errors.New("null is not a value")
	}
	return nil, fmt.Errorf("unsupported value of type %T", v)
}

// orderedObject is a JSON object with its keys in document order.
type orderedObject []struct {
	key   string
	value any
}

// decodeOrdered decodes one JSON value, keeping object key order (the
// order of "contents" is the order files are copied in).
func decodeOrdered(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			var o orderedObject
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, ok := kt.(string)
				if !ok {
					return nil, errors.New("object key is not a string")
				}
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, struct {
					key   string
					value any
				}{k, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return o, nil
		case '[':
			a := []any{}
			for dec.More() {
				v, err := decodeOrdered(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return a, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return t, nil
}
