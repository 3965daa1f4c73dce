//go:build amd64 && !purego

package luks

import "golang.org/x/sys/cpu"

// xtsEncryptBlocks encrypts n blocks (a multiple of 8) of src into dst with
// the AES-256 round keys rk, starting at tweak, and leaves the tweak of the
// block after the last in tweak.
//
//go:noescape
func xtsEncryptBlocks(rk *[240]byte, dst, src *byte, n int, tweak *[16]byte)

// xtsEncryptSectorVAES encrypts one sector of n blocks (a multiple of 32)
// with the AES-256 round keys rk1, its first tweak being AES(rk2, iv).
//
//go:noescape
func xtsEncryptSectorVAES(rk1, rk2 *[240]byte, dst, src *byte, n int, iv uint64)

// haveXTSAsm reports whether the AES-NI kernel can run here.
func haveXTSAsm() bool { return cpu.X86.HasAES }

// haveXTSVAES reports whether the VAES/AVX-512 kernel can run here.
func haveXTSVAES() bool {
	x := cpu.X86
	return x.HasAES && x.HasAVX512F && x.HasAVX512BW && x.HasAVX512VL && x.HasAVX512VAES && x.HasAVX512VPCLMULQDQ
}
