package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the benchmark ran: CPU, memory, kernel, the
// cache's filesystem, the gorepart commit and the tools' versions.
func machine(c *config) string {
	var b strings.Builder
	b.WriteString("## Machine\n\n")
	fmt.Fprintf(&b, "- CPU: %s, nproc %d\n", cpuModel(), runtime.NumCPU())
	fmt.Fprintf(&b, "- memory: %s\n", memTotal())
	fmt.Fprintf(&b, "- kernel: Linux %s\n", firstOf("uname", "-r"))
	fmt.Fprintf(&b, "- work directory %s on %s\n", c.cache, cacheFS(c.cache))
	if c.built != "" && c.built != "worktree" {
		fmt.Fprintf(&b, "- gorepart: commit %s (built from `git archive` of HEAD: uncommitted work in the checkout is not measured)\n", c.built)
	} else {
		fmt.Fprintf(&b, "- gorepart: commit %s\n", commit(c.repo))
	}
	var pkgs []string
	for _, p := range []string{"dosfstools", "mtools", "e2fsprogs", "erofs-utils", "cryptsetup-bin", "fdisk", "tar", "coreutils"} {
		pkgs = append(pkgs, p+" "+debVersion(p))
	}
	fmt.Fprintf(&b, "- tools (Debian packages): %s; `%s --version`: %s\n", strings.Join(pkgs, ", "), c.repart, firstOf(c.repart, "--version"))
	return b.String()
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func memTotal() string {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			if kib, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return fmt.Sprintf("%.1f GiB", float64(kib)/(1<<20))
			}
		}
	}
	return "unknown"
}

// firstOf is the first line a command prints (stdout and stderr).
func firstOf(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if len(out) == 0 && err != nil {
		return name + " missing"
	}
	return firstLine(string(out))
}

// debVersion is the installed version of a Debian package.
func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", pkg).Output()
	if err != nil || len(out) == 0 {
		return "(version unknown)"
	}
	return strings.TrimSpace(string(out))
}

func cacheFS(dir string) string {
	out, err := exec.Command("df", "--output=fstype", dir).Output()
	if err != nil {
		return "unknown filesystem"
	}
	f := strings.Fields(string(out))
	return f[len(f)-1]
}

// commit is the checkout's HEAD, marked when the work tree differs.
func commit(repo string) string {
	head, err := exec.Command("git", "-C", repo, "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	s := strings.TrimSpace(string(head))
	if st, err := exec.Command("git", "-C", repo, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		s += " (with uncommitted changes in the checkout)"
	}
	return s
}
