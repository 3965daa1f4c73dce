package storegen

import (
	"crypto/sha512"
	"math"
	"math/big"
)

// pyRandom is CPython's random.Random (3.11): MT19937 seeded with
// init_by_array, and the methods gen-store.py calls, each consuming the
// generator's output exactly as CPython does, so that the same seed
// string gives the same numbers and bytes.
type pyRandom struct {
	mt        [624]uint32
	index     int
	gaussNext *float64
}

// newPyRandom is random.Random(seed) for a str seed (version 2): the
// integer whose big-endian bytes are the seed's UTF-8 bytes followed by
// their SHA-512, split into 32-bit words from the least significant.
func newPyRandom(seed string) *pyRandom {
	b := []byte(seed)
	d := sha512.Sum512(b)
	b = append(b, d[:]...)
	n := new(big.Int).SetBytes(b)
	var key []uint32
	for _, w := range n.Bits() { // little-endian words of the magnitude
		key = append(key, uint32(w), uint32(uint64(w)>>32))
	}
	// keyused = (bits-1)/32 + 1 words.
	used := (n.BitLen()-1)/32 + 1
	if n.BitLen() == 0 {
		used = 1
		key = []uint32{0}
	}
	r := &pyRandom{}
	r.initByArray(key[:used])
	return r
}

func (r *pyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < len(r.mt); i++ {
		r.mt[i] = 1812433253*(r.mt[i-1]^(r.mt[i-1]>>30)) + uint32(i)
	}
	r.index = len(r.mt)
}

func (r *pyRandom) initByArray(key []uint32) {
	const n = 624
	r.initGenrand(19650218)
	i, j := 1, 0
	k := max(n, len(key))
	for ; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= n {
			r.mt[0] = r.mt[n-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = n - 1; k > 0; k-- {
		r.mt[i] = (r.mt[i] ^ ((r.mt[i-1] ^ (r.mt[i-1] >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= n {
			r.mt[0] = r.mt[n-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000
}

func (r *pyRandom) uint32() uint32 {
	const n, m = 624, 397
	if r.index >= n {
		for kk := 0; kk < n; kk++ {
			y := r.mt[kk]&0x80000000 | r.mt[(kk+1)%n]&0x7fffffff
			v := r.mt[(kk+m)%n] ^ y>>1
			if y&1 != 0 {
				v ^= 0x9908b0df
			}
			r.mt[kk] = v
		}
		r.index = 0
	}
	y := r.mt[r.index]
	r.index++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// random is random.random(): 53 bits from two outputs.
func (r *pyRandom) random() float64 {
	a, b := r.uint32()>>5, r.uint32()>>6
	return (float64(a)*67108864.0 + float64(b)) * (1.0 / 9007199254740992.0)
}

// getrandbits is random.getrandbits(k) for k <= 32.
func (r *pyRandom) getrandbits(k int) uint32 {
	if k == 0 {
		return 0
	}
	return r.uint32() >> (32 - k)
}

// randbelow is random._randbelow(n) for 0 < n < 2^32.
func (r *pyRandom) randbelow(n int) int {
	k := bitLen(uint64(n))
	v := r.getrandbits(k)
	for int(v) >= n {
		v = r.getrandbits(k)
	}
	return int(v)
}

func bitLen(n uint64) int {
	l := 0
	for ; n != 0; n >>= 1 {
		l++
	}
	return l
}

// randrange is random.randrange(start, stop).
func (r *pyRandom) randrange(start, stop int) int {
	if stop <= start {
		panic("storegen: empty range for randrange")
	}
	return start + r.randbelow(stop-start)
}

// randint is random.randint(a, b), b included.
func (r *pyRandom) randint(a, b int) int { return r.randrange(a, b+1) }

// uniform is random.uniform(a, b). The conversion keeps the product
// rounded on its own, as C computes it (no fused multiply-add).
func (r *pyRandom) uniform(a, b float64) float64 { return a + float64((b-a)*r.random()) }

// gauss is random.gauss(mu, sigma), which makes two numbers at a time
// and keeps the second for the next call.
func (r *pyRandom) gauss(mu, sigma float64) float64 {
	z := r.gaussNext
	r.gaussNext = nil
	if z == nil {
		x2pi := r.random() * (2 * math.Pi)
		g2rad := math.Sqrt(-2.0 * math.Log(1.0-r.random()))
		v := math.Cos(x2pi) * g2rad
		next := math.Sin(x2pi) * g2rad
		r.gaussNext = &next
		z = &v
	}
	return mu + float64(*z*sigma)
}

// randbytes is random.randbytes(n): getrandbits(8n) as n little-endian
// bytes, filled by 32-bit words from the least significant; the last,
// partial word is the top bits of an output.
func (r *pyRandom) randbytes(n int) []byte {
	out := make([]byte, n)
	for i := 0; i < n; i += 4 {
		w := r.uint32()
		if rem := n - i; rem < 4 {
			w >>= 32 - 8*rem
		}
		for j := 0; j < 4 && i+j < n; j++ {
			out[i+j] = byte(w >> (8 * j))
		}
	}
	return out
}

// sample is random.sample(range(n), k).
func (r *pyRandom) sample(n, k int) []int {
	if k < 0 || k > n {
		panic("storegen: sample larger than population")
	}
	result := make([]int, k)
	setsize := 21
	if k > 5 {
		setsize += int(math.Pow(4, math.Ceil(math.Log(float64(k*3))/math.Log(4))))
	}
	if n <= setsize {
		pool := make([]int, n)
		for i := range pool {
			pool[i] = i
		}
		for i := 0; i < k; i++ {
			j := r.randbelow(n - i)
			result[i] = pool[j]
			pool[j] = pool[n-i-1]
		}
		return result
	}
	selected := map[int]bool{}
	for i := 0; i < k; i++ {
		j := r.randbelow(n)
		for selected[j] {
			j = r.randbelow(n)
		}
		selected[j] = true
		result[i] = j
	}
	return result
}

// choice is random.choice(seq), as an index.
func (r *pyRandom) choice(n int) int { return r.randbelow(n) }
