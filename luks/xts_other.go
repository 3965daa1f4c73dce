//go:build !amd64 || purego

package luks

func xtsEncryptBlocks(rk *[240]byte, dst, src *byte, n int, tweak *[16]byte) {
	panic("luks: xtsEncryptBlocks without assembly")
}

func haveXTSAsm() bool { return false }

func xtsEncryptSectorVAES(rk1, rk2 *[240]byte, dst, src *byte, n int, iv uint64) {
	panic("luks: xtsEncryptSectorVAES without assembly")
}

func haveXTSVAES() bool { return false }
