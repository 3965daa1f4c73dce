package conformance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// dataLines reads testdata/<case>/FILE: its lines without comments and
// blank lines, expanded, split into fields.
func dataLines(e *env, file string) ([][]string, error) {
	f, err := os.Open(filepath.Join(e.data, file))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		x, err := e.expand(line)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.Fields(x))
	}
	return out, sc.Err()
}

// lsChecks applies upstream's `assert_rc RC ls "$imgs/mnt/PATH"` lines
// ("RC PATH" in testdata/<case>/FILE) to ext4 filesystems in files, mounted
// as MOUNTS says ("MOUNTPOINT=FSFILE"): debugfs looks PATH up in the
// filesystem of the longest matching mount point.
func lsChecks(file string, mounts ...string) step {
	return fn{"assert_rc RC ls (" + file + ") with " + strings.Join(mounts, " "), func(e *env) error {
		m, err := e.expandAll(mounts)
		if err != nil {
			return err
		}
		lines, err := dataLines(e, file)
		if err != nil {
			return err
		}
		for _, l := range lines {
			if len(l) != 2 {
				return fmt.Errorf("%s: want \"RC PATH\", got %q", file, l)
			}
			fs, inner, best := "", "", -1
			for _, mp := range m {
				point, img, _ := strings.Cut(mp, "=")
				point = strings.TrimSuffix(point, "/")
				rel, ok := strings.CutPrefix(l[1], point)
				if ok && (rel == "" || rel[0] == '/') && len(point) > best {
					fs, inner, best = img, "/"+strings.TrimPrefix(rel, "/"), len(point)
				}
			}
			out, err := exec.CommandContext(e.ctx, "debugfs", "-R", "stat "+inner, fs).CombinedOutput()
			if err != nil {
				return fmt.Errorf("debugfs: %w\n%s", err, out)
			}
			rc := "0"
			if strings.Contains(string(out), "File not found") {
				rc = "2"
			}
			if rc != l[0] {
				return fmt.Errorf("ls %s: exit status %s, want %s", l[1], rc, l[0])
			}
		}
		return nil
	}}
}

// readlinks applies `assert_eq "$(readlink "$ROOT/PATH")" "TARGET"` lines
// ("PATH TARGET" in testdata/<case>/FILE) to the extracted tree ROOT.
func readlinks(file, root string) step {
	return fn{"readlink (" + file + ") in " + root, func(e *env) error {
		r, err := e.expand(root)
		if err != nil {
			return err
		}
		lines, err := dataLines(e, file)
		if err != nil {
			return err
		}
		for _, l := range lines {
			got, err := os.Readlink(filepath.Join(r, l[0]))
			if err != nil {
				return err
			}
			if got != l[1] {
				return fmt.Errorf("readlink %s: %q, want %q", l[0], got, l[1])
			}
		}
		return nil
	}}
}

var mtimeRe = regexp.MustCompile(`(?m)^ *mtime: 0x([0-9a-f]+)`)

// mtimes applies `assert_eq "$(stat -c %Y "$imgs/mnt/PATH")" "EPOCH"` lines
// ("PATH EPOCH" in testdata/<case>/FILE) to the ext4 filesystem in file FS,
// read with debugfs (which does not follow symlinks, as stat without -L).
func mtimes(file, fs string) step {
	return fn{"stat -c %Y (" + file + ") in " + fs, func(e *env) error {
		f, err := e.expand(fs)
		if err != nil {
			return err
		}
		lines, err := dataLines(e, file)
		if err != nil {
			return err
		}
		for _, l := range lines {
			out, err := exec.CommandContext(e.ctx, "debugfs", "-R", "stat "+l[0], f).Output()
			if err != nil {
				return fmt.Errorf("debugfs stat %s: %w", l[0], err)
			}
			m := mtimeRe.FindSubmatch(out)
			if m == nil {
				return fmt.Errorf("debugfs stat %s: no mtime in:\n%s", l[0], out)
			}
			got, _ := strconv.ParseInt(string(m[1]), 16, 64)
			if strconv.FormatInt(got, 10) != l[1] {
				return fmt.Errorf("mtime of %s: %d, want %s", l[0], got, l[1])
			}
		}
		return nil
	}}
}

// readFile is `VAR=$(cat PATH)`.
func readFile(v, path string) step {
	return fn{v + "=$(cat " + path + ")", func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		e.vars[v] = strings.TrimRight(string(b), "\n")
		return nil
	}}
}

// sameLines is `diff -u <(echo "$A" | grep -E RE) <(echo "$B" | grep -E RE)`;
// unlike upstream it also requires a line to match, so that two empty
// outputs do not compare equal.
func sameLines(a, b, re string) step {
	return fn{fmt.Sprintf("diff <(grep -E %q <<<$%s) <(grep -E %q <<<$%s)", re, a, re, b), func(e *env) error {
		r := regexp.MustCompile(re)
		grep := func(s string) string {
			var kept []string
			for _, line := range strings.Split(s, "\n") {
				if r.MatchString(line) {
					kept = append(kept, line)
				}
			}
			return strings.Join(kept, "\n")
		}
		if grep(e.vars[a]) == "" {
			return fmt.Errorf("no line of $%s matches %q: nothing to compare", a, re)
		}
		return sameText(grep(e.vars[a]), grep(e.vars[b]))
	}}
}

// zeroFile is `fallocate -l SIZE PATH`: SIZE bytes of zeros, allocated.
func zeroFile(path string, size int) step {
	return fn{fmt.Sprintf("fallocate -l %d %s", size, path), func(e *env) error {
		p, err := e.expand(path)
		if err != nil {
			return err
		}
		return os.WriteFile(p, make([]byte, size), 0o644)
	}}
}

// pickIndex is `DST=$(jq -r '.[I].FIELD' <<<"$SRC")`.
func pickIndex(dst, src string, i int, field string) step {
	return fn{fmt.Sprintf("%s=$(jq -r '.[%d].%s' <<<$%s)", dst, i, field, src), func(e *env) error {
		var list []map[string]any
		if err := json.Unmarshal([]byte(e.vars[src]), &list); err != nil {
			return fmt.Errorf("$%s is not a JSON array: %w", src, err)
		}
		e.vars[dst] = "null"
		if i < len(list) {
			e.vars[dst] = jqRaw(list[i][field])
		}
		return nil
	}}
}
