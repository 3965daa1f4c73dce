package conformance

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// dumpEq is upstream's
//
//	output=$(sfdisk -d IMAGE | grep -v -e 'sector-size' -e '^$')
//	assert_eq "$output" "<testdata/<case>/FILE>"
func dumpEq(image, file string) step {
	return fn{"sfdisk -d " + image + " == " + file, func(e *env) error {
		p, err := e.expand(image)
		if err != nil {
			return err
		}
		out, err := exec.CommandContext(e.ctx, "sfdisk", "-d", p).Output()
		if err != nil {
			return fmt.Errorf("sfdisk -d: %w", err)
		}
		var kept []string
		for _, line := range strings.Split(string(out), "\n") {
			if line != "" && !strings.Contains(line, "sector-size") {
				kept = append(kept, line)
			}
		}
		want, err := e.readData(file)
		if err != nil {
			return err
		}
		return sameText(want, strings.Join(kept, "\n"))
	}}
}

// textEq is upstream's `diff -u - <<EOF <(echo "$VAR")` (or assert_eq of
// VAR and a literal): VAR must equal testdata/<case>/FILE.
func textEq(v, file string) step {
	return fn{"diff " + file + " $" + v, func(e *env) error {
		want, err := e.readData(file)
		if err != nil {
			return err
		}
		got, ok := e.vars[v]
		if !ok {
			return fmt.Errorf("$%s is not set", v)
		}
		return sameText(want, got)
	}}
}

// sameText compares two texts without their trailing newlines, as $(...)
// and assert_eq do.
func sameText(want, got string) error {
	want, got = strings.TrimRight(want, "\n"), strings.TrimRight(got, "\n")
	if want == got {
		return nil
	}
	return fmt.Errorf("text differs (-want +got):\n%s", lineDiff(want, got))
}

// asserts applies upstream's assert_in / assert_not_in lines, kept in
// testdata/<case>/FILE, to $VAR. Each line is a bash =~ pattern (a regular
// expression; the values of variables in it match literally); a line
// starting with "! " is an assert_not_in.
func asserts(v, file string) step {
	return fn{"assert_in (" + file + ") $" + v, func(e *env) error {
		raw, err := os.ReadFile(filepath.Join(e.data, file))
		if err != nil {
			return err
		}
		got, ok := e.vars[v]
		if !ok {
			return fmt.Errorf("$%s is not set", v)
		}
		sc := bufio.NewScanner(bytes.NewReader(raw))
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			pattern, negate := strings.CutPrefix(line, "! ")
			p, err := e.expandRegexp(pattern)
			if err != nil {
				return err
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return err
			}
			switch found := re.MatchString(got); {
			case negate && found:
				return fmt.Errorf("assert_not_in: %q found in:\n%s", pattern, got)
			case !negate && !found:
				return fmt.Errorf("assert_in: %q not found in:\n%s", pattern, got)
			}
		}
		return sc.Err()
	}}
}

// eq is assert_eq A B; neq is assert_neq A B.
func eq(a, b string) step  { return compare(a, b, true) }
func neq(a, b string) step { return compare(a, b, false) }

func compare(a, b string, same bool) step {
	op := "assert_neq"
	if same {
		op = "assert_eq"
	}
	return fn{op + " " + a + " " + b, func(e *env) error {
		v, err := e.expandAll([]string{a, b})
		if err != nil {
			return err
		}
		if (v[0] == v[1]) != same {
			return fmt.Errorf("%s: %q vs %q", op, v[0], v[1])
		}
		return nil
	}}
}

// pick is `DST=$(jq -r 'PATH | .[] | select(.KEY == "VAL") | .FIELD' <<<"$SRC")`
// (PATH a chain of object keys, possibly empty): the first match, printed
// as jq -r prints it ("null" when absent).
func pick(dst, src, path, key, val, field string) step {
	desc := fmt.Sprintf("%s=$(jq -r '%s.[] | select(.%s == \"%s\") | .%s' <<<$%s)", dst, path, key, val, field, src)
	return fn{desc, func(e *env) error {
		want, err := e.expand(val)
		if err != nil {
			return err
		}
		var doc any
		if err := json.Unmarshal([]byte(e.vars[src]), &doc); err != nil {
			return fmt.Errorf("$%s is not JSON: %w", src, err)
		}
		for _, k := range strings.FieldsFunc(path, func(r rune) bool { return r == '.' }) {
			obj, _ := doc.(map[string]any)
			doc = obj[k]
		}
		list, _ := doc.([]any)
		e.vars[dst] = "null"
		for _, item := range list {
			obj, _ := item.(map[string]any)
			if s, ok := obj[key].(string); ok && s == want {
				e.vars[dst] = jqRaw(obj[field])
				break
			}
		}
		return nil
	}}
}

// jqRaw formats a JSON value as `jq -r` prints it.
func jqRaw(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case float64:
		return fmt.Sprintf("%.17g", v)
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// validJSON is `jq . FILE >/dev/null`.
func validJSON(path string) step {
	return fn{"jq . " + path, func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		d := json.NewDecoder(bytes.NewReader(b))
		for {
			var v any
			if err := d.Decode(&v); err == io.EOF {
				return nil
			} else if err != nil {
				return fmt.Errorf("%s is not valid JSON: %w", p, err)
			}
		}
	}}
}

// cmpFiles is `cmp A B`; with n > 0 it is `cmp --bytes=N
// --ignore-initial=SKIPA:SKIPB A B`.
func cmpFiles(a, b string, n, skipA, skipB int64) step {
	desc := "cmp " + a + " " + b
	if n > 0 {
		desc = fmt.Sprintf("cmp --bytes=%d --ignore-initial=%d:%d %s %s", n, skipA, skipB, a, b)
	}
	return fn{desc, func(e *env) error {
		p, err := paths(e, a, b)
		if err != nil {
			return err
		}
		ra, err := readRange(p[0], skipA, n)
		if err != nil {
			return err
		}
		rb, err := readRange(p[1], skipB, n)
		if err != nil {
			return err
		}
		if !bytes.Equal(ra, rb) {
			for i := range min(len(ra), len(rb)) {
				if ra[i] != rb[i] {
					return fmt.Errorf("differ: byte %d", i+1)
				}
			}
			return fmt.Errorf("differ in length: %d vs %d bytes", len(ra), len(rb))
		}
		return nil
	}}
}

// readRange reads n bytes at off (n <= 0: to the end).
func readRange(path string, off, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if n <= 0 {
		st, err := f.Stat()
		if err != nil {
			return nil, err
		}
		n = st.Size() - off
	}
	buf := make([]byte, n)
	k, err := f.ReadAt(buf, off)
	if err == io.EOF {
		err = nil
	}
	return buf[:k], err
}

// absent is `test ! -e PATH`.
func absent(path string) step {
	return fn{"test ! -e " + path, func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists", p)
		}
		return nil
	}}
}

// countLines is `[[ "$(grep -c SUBSTR <<<"$VAR")" -eq N ]]`.
func countLines(v, substr string, n int) step {
	return fn{fmt.Sprintf("grep -c %s <<<$%s == %d", substr, v, n), func(e *env) error {
		s, err := e.expand(substr)
		if err != nil {
			return err
		}
		c := 0
		for _, line := range strings.Split(e.vars[v], "\n") {
			if strings.Contains(line, s) {
				c++
			}
		}
		if c != n {
			return fmt.Errorf("%d lines contain %q, want %d:\n%s", c, s, n, e.vars[v])
		}
		return nil
	}}
}

// lineDiff is a minimal line diff (longest common subsequence).
func lineDiff(a, b string) string {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	l := make([][]int, len(x)+1)
	for i := range l {
		l[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				l[i][j] = l[i+1][j+1] + 1
			} else {
				l[i][j] = max(l[i+1][j], l[i][j+1])
			}
		}
	}
	var out strings.Builder
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			out.WriteString("  " + x[i] + "\n")
			i, j = i+1, j+1
		case j < len(y) && (i == len(x) || l[i][j+1] >= l[i+1][j]):
			out.WriteString("+ " + y[j] + "\n")
			j++
		default:
			out.WriteString("- " + x[i] + "\n")
			i++
		}
	}
	return out.String()
}

// diffTrees is `diff -r A B`: the same names, and files (symlinks
// followed) with the same contents.
func diffTrees(a, b string) step {
	return fn{"diff -r " + a + " " + b, func(e *env) error {
		p, err := paths(e, a, b)
		if err != nil {
			return err
		}
		return sameTree(p[0], p[1])
	}}
}

func sameTree(a, b string) error {
	sa, err := os.Stat(a)
	if err != nil {
		return err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return err
	}
	if sa.IsDir() != sb.IsDir() {
		return fmt.Errorf("%s and %s: one is a directory, the other not", a, b)
	}
	if !sa.IsDir() {
		da, err := os.ReadFile(a)
		if err != nil {
			return err
		}
		db, err := os.ReadFile(b)
		if err != nil {
			return err
		}
		if !bytes.Equal(da, db) {
			return fmt.Errorf("files %s and %s differ", a, b)
		}
		return nil
	}
	ea, err := os.ReadDir(a)
	if err != nil {
		return err
	}
	eb, err := os.ReadDir(b)
	if err != nil {
		return err
	}
	var na, nb []string
	for _, x := range ea {
		na = append(na, x.Name())
	}
	for _, x := range eb {
		nb = append(nb, x.Name())
	}
	if strings.Join(na, "/") != strings.Join(nb, "/") {
		return fmt.Errorf("%s has %v, %s has %v", a, na, b, nb)
	}
	for _, n := range na {
		if err := sameTree(filepath.Join(a, n), filepath.Join(b, n)); err != nil {
			return err
		}
	}
	return nil
}
