//go:build amd64 && !purego

package luks

import "golang.org/x/sys/cpu"

// xtsEncryptBlocks encrypts n blocks (a multiple of 8) of src into dst with
// the AES-256 round keys rk, starting at tweak, and leaves the tweak of the
// block after the last in tweak.
//
//go:noescape
func xtsEncryptBlocks(rk *[240]byte, dst, src *byte, n int, tweak *[16]byte)

// haveXTSAsm reports whether the AES-NI kernel can run here.
func haveXTSAsm() bool { return cpu.X86.HasAES }
