//go:build !amd64 || purego

package luks

func xtsEncryptBlocks(rk *[240]byte, dst, src *byte, n int, tweak *[16]byte) {
	panic("luks: xtsEncryptBlocks without assembly")
}

func haveXTSAsm() bool { return false }
