package storegen

import (
	"math"
	"strings"
)

// corpus is about 1 MiB of word salad the text files are cut from.
func corpus(seed int64) []byte {
	r := newPyRandom("corpus-" + itoa(seed))
	var lines []string
	total := 0
	for total < 1<<20 {
		n := r.randint(3, 14)
		ws := make([]string, n)
		for i := range ws {
			ws[i] = words[r.choice(len(words))]
		}
		line := strings.Join(ws, " ")
		if r.random() < 0.2 {
			line = "    " + line + ";"
		}
		lines = append(lines, line)
		total += len(line) + 1
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// text is size bytes: the header, then random slices of the corpus.
func (g *gen) text(r *pyRandom, size int, header string) []byte {
	out := make([]byte, 0, max(size, len(header)))
	out = append(out, header...)
	n := len(header)
	for n < size {
		take := min(size-n, r.randint(200, 4000))
		off := r.randrange(0, len(g.corpus)-take)
		out = append(out, g.corpus[off:off+take]...)
		n += take
	}
	return out[:size]
}

// binary is an ELF-like header, then 4 KiB chunks: about 60% random,
// 25% a repeated 64-byte pattern, 15% zeros.
func (g *gen) binary(r *pyRandom, size int) []byte {
	out := make([]byte, 64, max(size, 64))
	copy(out, "\x7fELF\x02\x01\x01\x00")
	n := 64
	pat := []byte(strings.Repeat(string(r.randbytes(64)), 64))
	for n < size {
		take := min(4096, size-n)
		v := r.random()
		switch {
		case v < 0.60:
			out = append(out, r.randbytes(take)...)
		case v < 0.85:
			out = append(out, pat[:take]...)
		default:
			out = append(out, make([]byte, take)...)
		}
		n += take
	}
	return out[:size]
}

// logUniform is int(exp(uniform(log lo, log hi))).
func logUniform(r *pyRandom, lo, hi float64) int {
	return int(math.Exp(r.uniform(math.Log(lo), math.Log(hi))))
}

// poisson is Knuth's method for small lambda, a rounded normal above 30.
func poisson(r *pyRandom, lam float64) int {
	if lam <= 0 {
		return 0
	}
	if lam > 30 {
		return max(0, int(r.gauss(lam, math.Sqrt(lam))))
	}
	l, k, p := math.Exp(-lam), 0, 1.0
	for {
		p *= r.random()
		if p <= l {
			return k
		}
		k++
	}
}
