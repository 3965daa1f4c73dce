package storegen

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// storePath is a store path's directory name and package name.
type storePath struct{ name, base string }

// gen makes one tree; fs receives what it makes.
type gen struct {
	scale  Scale
	seed   int64
	corpus []byte
	paths  []storePath
	fs     fsOps
	stats  Stats
}

// fsOps is where the generator's files go: a directory, or nowhere
// (planning).
type fsOps interface {
	mkdir(path string) error
	file(path string, data []byte, mode uint32) error
	symlink(target, path string) error
	hardlink(src, dst string) error
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func newGen(p Params, fs fsOps) (*gen, error) {
	s, err := p.scale()
	if err != nil {
		return nil, err
	}
	g := &gen{scale: s, seed: p.Seed, corpus: corpus(p.Seed), fs: fs}
	r := newPyRandom("names-" + itoa(p.Seed))
	seen := map[string]bool{}
	for i := 0; i < s.Paths; i++ {
		var h strings.Builder
		for j := 0; j < 32; j++ {
			h.WriteByte(nix32[r.choice(len(nix32))])
		}
		base := names[i%len(names)]
		if i >= len(names) {
			base = fmt.Sprintf("%s-%d", base, i/len(names))
		}
		a := r.randint(0, 30)
		b := r.randint(0, 20)
		c := r.randint(0, 9)
		name := fmt.Sprintf("%s-%s-%d.%d.%d", h.String(), base, a, b, c)
		if seen[name] {
			return nil, fmt.Errorf("generating store path names: %s twice", name)
		}
		seen[name] = true
		g.paths = append(g.paths, storePath{name, base})
	}
	return g, nil
}

// pathGen makes one store path.
type pathGen struct {
	*gen
	r    *pyRandom
	sp   string
	made []string
	seen map[string]bool
	err  error
}

// d makes the directory rel of the store path (and its parents) once
// and returns its path.
func (p *pathGen) d(rel string) string {
	full := p.sp
	if rel != "" {
		full = p.sp + "/" + rel
	}
	if p.seen[full] {
		return full
	}
	var parts []string
	if rel != "" {
		parts = strings.Split(rel, "/")
	}
	for k := 0; k <= len(parts); k++ {
		sub := p.sp
		if k > 0 {
			sub = p.sp + "/" + strings.Join(parts[:k], "/")
		}
		if !p.seen[sub] {
			p.check(p.fs.mkdir(sub))
			p.stats.Dirs++
			p.seen[sub] = true
			p.made = append(p.made, sub)
		}
	}
	return full
}

func (p *pathGen) check(err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
}

func (p *pathGen) wfile(path string, data []byte, mode uint32) {
	p.check(p.fs.file(path, data, mode))
	p.stats.Files++
	p.stats.Bytes += int64(len(data))
}

func (p *pathGen) symlink(target, path string) {
	p.check(p.fs.symlink(target, path))
	p.stats.Symlinks++
}

func (p *pathGen) hardlink(src, dst string) {
	p.check(p.fs.hardlink(src, dst))
	p.stats.Hardlinks++
}

// genPath makes store path idx below root and returns its directories.
func (g *gen) genPath(idx int, root string) ([]string, error) {
	sp := g.paths[idx]
	name, base := sp.name, sp.base
	p := &pathGen{gen: g, r: newPyRandom(fmt.Sprintf("path-%d-%d", g.seed, idx)), sp: filepath.Join(root, name), seen: map[string]bool{}}
	r := p.r
	p.d("")
	var deps []string
	k := min(len(g.paths), r.randint(1, 8))
	for _, j := range r.sample(len(g.paths), k) {
		if j != idx {
			deps = append(deps, g.paths[j].name)
		}
	}

	// Binaries: bin/ executables and lib/ shared objects.
	nbins := poisson(r, g.scale.BinsLambda)
	var libnames []string
	for b := 0; b < nbins; b++ {
		size := logUniform(r, 100*1024, 5*1024*1024)
		data := g.binary(r, size)
		g.stats.Binaries++
		g.stats.BinaryBytes += int64(size)
		if r.random() < 0.5 {
			fn := base
			if b != 0 {
				fn = fmt.Sprintf("%s-%d", base, b)
			}
			p.wfile(p.d("bin")+"/"+fn, data, 0o555)
		} else {
			so := "lib" + base + ".so"
			if b != 0 {
				so = fmt.Sprintf("lib%s%d.so", base, b)
			}
			p.wfile(p.d("lib")+"/"+so+".1.2.3", data, 0o555)
			p.symlink(so+".1.2.3", p.d("lib")+"/"+so+".1")
			p.symlink(so+".1", p.d("lib")+"/"+so)
			libnames = append(libnames, so)
		}
	}
	// Shell script wrappers in bin/.
	for s, n := 0, r.randint(0, 4); s < n; s++ {
		fn := fmt.Sprintf("%s/%s-tool%d", p.d("bin"), base, s)
		interp := name
		if len(deps) > 0 {
			interp = deps[0]
		}
		txt := fmt.Sprintf("#! /nix/store/%s/bin/bash -e\nexec \"/nix/store/%s/libexec/%s-tool%d\" \"$@\"\n", interp, name, base, s)
		p.wfile(fn, g.text(r, logUniform(r, 100, 2000), txt), 0o555)
	}
	// Absolute symlinks into other store paths.
	for s, n := 0, r.randint(0, 3); s < n; s++ {
		if len(deps) == 0 {
			break
		}
		dep := deps[r.choice(len(deps))]
		_, rest, _ := strings.Cut(dep, "-")
		tool := rest[:strings.LastIndex(rest, "-")]
		p.symlink(fmt.Sprintf("/nix/store/%s/bin/%s", dep, tool), fmt.Sprintf("%s/dep-link%d", p.d("bin"), s))
	}
	// Many small text files in lib/<base>, share/<base>, share/doc,
	// share/man and locale.
	moSeen := map[string]bool{}
	nsmall := max(1, int(r.gauss(g.scale.SmallFiles, g.scale.SmallFiles*0.4)))
	subdirs := []string{"lib/" + base, "share/" + base, "share/" + base + "/data", "share/doc/" + base,
		"include/" + base, "share/man/man1", "lib/" + base + "/modules"}
	exts := []string{".py", ".h", ".txt", ".json", ".conf", ".1", ".html", ".pm"}
	for k := 0; k < nsmall; k++ {
		var fn string
		if r.random() < 0.08 {
			lang := langs[r.choice(len(langs))]
			dir := p.d("share/locale/" + lang + "/LC_MESSAGES")
			fn = dir + "/" + base + ".mo"
			if moSeen[fn] {
				fn = fmt.Sprintf("%s/%s-%d.mo", dir, base, k)
			}
			moSeen[fn] = true
		} else {
			sd := subdirs[r.choice(len(subdirs))]
			if r.random() < 0.3 {
				sd = fmt.Sprintf("%s/sub%d", sd, r.randint(0, 5))
			}
			dir := p.d(sd)
			ext := exts[r.choice(len(exts))]
			fn = fmt.Sprintf("%s/f%04d%s", dir, k, ext)
		}
		size := logUniform(r, 100, 8192)
		p.wfile(fn, g.text(r, size, fmt.Sprintf("# %s file %d\n", name, k)), 0o444)
		g.stats.TextBytes += int64(size)
	}
	// Medium compressible text.
	for k, n := 0, poisson(r, g.scale.MedFiles); k < n; k++ {
		size := logUniform(r, 8192, 256*1024)
		fn := fmt.Sprintf("%s/manual-%d.txt", p.d("share/doc/"+base), k)
		p.wfile(fn, g.text(r, size, fmt.Sprintf("%s manual part %d\n", name, k)), 0o444)
		g.stats.TextBytes += int64(size)
	}
	// pkg-config and nix-support with absolute references.
	if len(libnames) > 0 {
		pc := fmt.Sprintf("prefix=/nix/store/%s\nlibdir=${prefix}/lib\nName: %s\nLibs: -L${libdir} -l%s\n", name, base, base)
		p.wfile(p.d("lib/pkgconfig")+"/"+base+".pc", []byte(pc), 0o444)
	}
	var refs strings.Builder
	for _, x := range deps {
		refs.WriteString("/nix/store/" + x + " ")
	}
	refs.WriteString("\n")
	p.wfile(p.d("nix-support")+"/propagated-build-inputs", []byte(refs.String()), 0o444)
	// A relative directory symlink and hardlinks.
	if r.random() < 0.3 {
		p.symlink(base, p.d("share/doc")+"/"+base+"-doc")
	}
	if r.random() < 0.05 || idx == 0 {
		lic := p.d("share/doc/"+base) + "/COPYING"
		p.wfile(lic, g.text(r, 18000, "GNU GENERAL PUBLIC LICENSE\n"), 0o444)
		p.hardlink(lic, p.d("share/licenses/"+base)+"/COPYING")
	}
	if r.random() < 0.03 || idx == 1 {
		src := p.d("bin") + "/" + base + "-alias-src"
		p.wfile(src, g.text(r, 3000, "#!/bin/sh\n"), 0o555)
		p.hardlink(src, p.d("bin")+"/"+base+"-alias")
	}
	// Empty directories.
	if r.random() < 0.15 || idx == 0 {
		p.d("lib/" + base + "/plugins")
		g.stats.EmptyDirs++
	}
	if r.random() < 0.05 {
		p.d("share/empty")
		g.stats.EmptyDirs++
	}
	g.stats.Paths++
	return p.made, p.err
}
