package ext4

import "math/bits"

// dirHash is e2fsprogs' ext2fs_dirhash2 for EXT2_HASH_HALF_MD4 with signed
// chars (s_flags signed_directory_hash): it returns the major hash with the
// low bit cleared and the minor hash.
func dirHash(name string, seed [4]uint32) (uint32, uint32) {
	buf := [4]uint32{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}
	if seed != [4]uint32{} {
		buf = seed
	}
	var in [8]uint32
	p := []byte(name)
	for n := len(p); n > 0; n -= 32 {
		str2hashbuf(p, n, in[:])
		halfMD4(&buf, &in)
		if len(p) > 32 {
			p = p[32:]
		}
	}
	return buf[1] &^ 1, buf[2]
}

func str2hashbuf(msg []byte, length int, out []uint32) {
	pad := uint32(length) | uint32(length)<<8
	pad |= pad << 16
	val := pad
	num := len(out)
	if length > num*4 {
		length = num * 4
	}
	o := 0
	for i := 0; i < length; i++ {
		c := int32(int8(msg[i]))
		val = uint32(c) + val<<8
		if i%4 == 3 {
			out[o] = val
			o++
			val = pad
			num--
		}
	}
	num--
	if num >= 0 {
		out[o] = val
		o++
	}
	for num--; num >= 0; num-- {
		out[o] = pad
		o++
	}
}

func halfMD4(buf *[4]uint32, in *[8]uint32) {
	const k2, k3 = 013240474631, 015666365641
	f := func(x, y, z uint32) uint32 { return z ^ (x & (y ^ z)) }
	g := func(x, y, z uint32) uint32 { return (x & y) + ((x ^ y) & z) }
	h := func(x, y, z uint32) uint32 { return x ^ y ^ z }
	a, b, c, d := buf[0], buf[1], buf[2], buf[3]
	r := func(fn func(x, y, z uint32) uint32, a, b, c, d, x uint32, s int) uint32 {
		return bits.RotateLeft32(a+fn(b, c, d)+x, s)
	}
	a = r(f, a, b, c, d, in[0], 3)
	d = r(f, d, a, b, c, in[1], 7)
	c = r(f, c, d, a, b, in[2], 11)
	b = r(f, b, c, d, a, in[3], 19)
	a = r(f, a, b, c, d, in[4], 3)
	d = r(f, d, a, b, c, in[5], 7)
	c = r(f, c, d, a, b, in[6], 11)
	b = r(f, b, c, d, a, in[7], 19)

	a = r(g, a, b, c, d, in[1]+k2, 3)
	d = r(g, d, a, b, c, in[3]+k2, 5)
	c = r(g, c, d, a, b, in[5]+k2, 9)
	b = r(g, b, c, d, a, in[7]+k2, 13)
	a = r(g, a, b, c, d, in[0]+k2, 3)
	d = r(g, d, a, b, c, in[2]+k2, 5)
	c = r(g, c, d, a, b, in[4]+k2, 9)
	b = r(g, b, c, d, a, in[6]+k2, 13)

	a = r(h, a, b, c, d, in[3]+k3, 3)
	d = r(h, d, a, b, c, in[7]+k3, 9)
	c = r(h, c, d, a, b, in[2]+k3, 11)
	b = r(h, b, c, d, a, in[6]+k3, 15)
	a = r(h, a, b, c, d, in[1]+k3, 3)
	d = r(h, d, a, b, c, in[5]+k3, 9)
	c = r(h, c, d, a, b, in[0]+k3, 11)
	b = r(h, b, c, d, a, in[4]+k3, 15)

	buf[0] += a
	buf[1] += b
	buf[2] += c
	buf[3] += d
}
