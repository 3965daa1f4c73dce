package erofs

import (
	"github.com/pierrec/lz4/v4"
)

// lz4DestSize compresses the longest prefix of src that fits in limit
// bytes, like liblz4's LZ4_compress_destSize, on top of pierrec/lz4 which
// has no such API: it compresses a guessed prefix, growing the guess while
// everything fits, then cuts the compressed sequences at the best point
// (see lz4Cut).
type lz4DestSize struct {
	hc    bool
	fast  lz4.Compressor
	hcc   lz4.CompressorHC
	buf   []byte
	out   []byte
	lastN int
}

func newLZ4(hc bool, level int) *lz4DestSize {
	c := &lz4DestSize{hc: hc}
	// Search depth as liblz4's hash-chain levels: 1<<(level-1) attempts,
	// level 9 (the default, LZ4HC_CLEVEL_DEFAULT) 256; the optimal-parser
	// levels 10-12 get deeper chains instead.
	switch {
	case level < 0:
		level = 9
	case level < 3:
		level = 3
	case level > 12:
		level = 12
	}
	c.hcc.Level = lz4.CompressionLevel(1) << (level - 1)
	return c
}

func (c *lz4DestSize) compressBlock(src []byte) ([]byte, error) {
	bound := lz4.CompressBlockBound(len(src))
	if cap(c.buf) < bound {
		c.buf = make([]byte, bound)
	}
	dst := c.buf[:bound]
	var n int
	var err error
	if c.hc {
		n, err = c.hcc.CompressBlock(src, dst)
	} else {
		n, err = c.fast.CompressBlock(src, dst)
	}
	if err != nil {
		return nil, err
	}
	if n == 0 { // incompressible: store as one literal run
		n = len(lz4LiteralBlock(dst[:0], src))
	}
	return dst[:n], nil
}

// lz4LiteralBlock appends a block that holds src as literals only.
func lz4LiteralBlock(b, src []byte) []byte {
	b = appendLiteralHeader(b, len(src))
	return append(b, src...)
}

func appendLiteralHeader(b []byte, l int) []byte {
	if l < 15 {
		return append(b, byte(l<<4))
	}
	b = append(b, 0xF0)
	for r := l - 15; ; r -= 255 {
		if r < 255 {
			return append(b, byte(r))
		}
		b = append(b, 255)
	}
}

// maxLiterals is the longest final literal run that fits in avail bytes.
func maxLiterals(avail int) int {
	if avail <= 15 {
		return avail - 1
	}
	l := avail - 2 - (avail-2-15)/255
	for literalCost(l+1) <= avail {
		l++
	}
	for literalCost(l) > avail {
		l--
	}
	return l
}

// literalCost is the encoded size of a final literal run of l bytes.
func literalCost(l int) int {
	if l < 15 {
		return 1 + l
	}
	return 1 + (l-15)/255 + 1 + l
}

func (c *lz4DestSize) destSize(src []byte, limit int) (int, []byte, error) {
	// Guess a little more than the last cluster took; grow if it fits.
	n := max(c.lastN+c.lastN/8+256, 2*limit)
	for {
		n = min(n, len(src))
		comp, err := c.compressBlock(src[:n])
		if err != nil {
			return 0, nil, err
		}
		if len(comp) <= limit && n < len(src) {
			// Everything fit: extrapolate by the ratio, at least double.
			n = max(2*n, n/len(comp)*limit)
			continue
		}
		used, out := lz4Cut(comp, src[:n], limit, c.out[:0])
		c.lastN, c.out = used, out
		return used, out, nil
	}
}

// lz4Cut returns the longest prefix of src whose block fits in limit bytes,
// given comp, the block of all of src, appending that block to out. The
// block keeps comp's first sequences whole, then either ends with a run of
// literals where a sequence began, or keeps a sequence's literals and a
// shortened prefix of its match (long runs of zeros are single matches)
// before the final literals. Unless the final run ends src it is at least
// 12 bytes, so the last match ends 12 bytes before the end (LZ4's MFLIMIT
// and LASTLITERALS rules).
func lz4Cut(comp, src []byte, limit int, out []byte) (int, []byte) {
	if len(comp) <= limit {
		return len(src), append(out, comp...)
	}
	type cut struct {
		n      int // input consumed
		ip, op int // where sequence k starts in comp and src
		// Truncated match: its literals end at litEnd in comp, the
		// offset follows; the match keeps x+4 bytes.
		trunc  bool
		litEnd int
		x      int
		l      int // final literals
	}
	var best cut
	finalLits := func(op, avail int) (int, bool) {
		if avail < 1 {
			return 0, false
		}
		l := min(maxLiterals(avail), len(src)-op)
		return l, op == 0 || l >= 12 || op+l == len(src)
	}
	ip, op := 0, 0
	for ip < len(comp) && ip < limit {
		ip0, op0 := ip, op
		if l, ok := finalLits(op, limit-ip); ok && op+l > best.n {
			best = cut{n: op + l, ip: ip, op: op, l: l}
		}
		token := comp[ip]
		ip++
		lit := int(token >> 4)
		if lit == 15 {
			for ip < len(comp) {
				b := comp[ip]
				ip++
				lit += int(b)
				if b != 255 {
					break
				}
			}
		}
		ip += lit
		op += lit
		if ip >= len(comp) {
			break
		}
		litEnd := ip
		ip += 2
		ml := int(token & 15)
		if ml == 15 {
			for ip < len(comp) {
				b := comp[ip]
				ip++
				ml += int(b)
				if b != 255 {
					break
				}
			}
		}
		// Shorten this match: keep 12 final literals' worth of room.
		if budget := limit - litEnd - 2; budget-literalCost(12) >= 0 {
			x := min(ml, 255*(budget-literalCost(12))+14)
			opm := op + x + 4
			if l, ok := finalLits(opm, budget-matchExtCost(x)); ok && opm+l > best.n && opm <= len(src) {
				best = cut{n: opm + l, ip: ip0, op: op0, trunc: true, litEnd: litEnd, x: x, l: l}
			}
		}
		op += ml + 4
	}
	if !best.trunc {
		out = append(out, comp[:best.ip]...)
		out = appendLiteralHeader(out, best.l)
		return best.n, append(out, src[best.op:best.op+best.l]...)
	}
	// Sequence k with its match shortened to x+4 bytes.
	out = append(out, comp[:best.litEnd+2]...)
	out[best.ip] = out[best.ip]&0xF0 | byte(min(best.x, 15))
	if best.x >= 15 {
		r := best.x - 15
		for ; r >= 255; r -= 255 {
			out = append(out, 255)
		}
		out = append(out, byte(r))
	}
	out = appendLiteralHeader(out, best.l)
	return best.n, append(out, src[best.n-best.l:best.n]...)
}

// matchExtCost is the number of extra length bytes of a match of x+4 bytes.
func matchExtCost(x int) int {
	if x < 15 {
		return 0
	}
	return 1 + (x-15)/255
}

func (c *lz4DestSize) reset() { c.lastN = 0 }
