package luks

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/xts"
)

// sectorCipher is aes-xts-plain64 with a 512-bit key as dm-crypt runs it
// for LUKS2: sector n of sectorSize bytes is XTS-encrypted with the tweak
// AES(k2, le64(n * sectorSize/512) || 0^8). cryptsetup never activates LUKS2
// with iv_large_sectors, so plain64 counts 512-byte units even with 4096-byte
// sectors (the IV of the second 4096-byte sector is 8).
type sectorCipher struct {
	sectorSize int
	rk         *[240]byte   // round keys of k1 for the AES-NI kernels, nil without them
	rk2        *[240]byte   // round keys of k2 for the VAES kernel, nil without it
	tweakKey   cipher.Block // k2
	ref        *xts.Cipher  // golang.org/x/crypto/xts: decryption and the portable path
}

// newSectorCipher returns the cipher for key (64 bytes) and sectorSize.
func newSectorCipher(key []byte, sectorSize int) (*sectorCipher, error) {
	if len(key) != VolumeKeySize {
		return nil, fmt.Errorf("aes-xts-plain64 key of %d bytes, want %d", len(key), VolumeKeySize)
	}
	ref, err := xts.NewCipher(aes.NewCipher, key)
	if err != nil {
		return nil, fmt.Errorf("creating XTS cipher: %w", err)
	}
	c := &sectorCipher{sectorSize: sectorSize, ref: ref}
	if haveXTSAsm() {
		k2, err := aes.NewCipher(key[32:])
		if err != nil {
			return nil, fmt.Errorf("creating tweak cipher: %w", err)
		}
		var k1 [32]byte
		copy(k1[:], key[:32])
		rk := expandKey256(&k1)
		c.rk, c.tweakKey = &rk, k2
		if haveXTSVAES() {
			copy(k1[:], key[32:])
			rk2 := expandKey256(&k1)
			c.rk2 = &rk2
		}
		clear(k1[:])
	}
	return c, nil
}

// encrypt encrypts src (whole sectors) into dst, the first being sector
// number first. dst and src must not overlap unless they are equal.
func (c *sectorCipher) encrypt(dst, src []byte, first uint64) {
	ss := c.sectorSize
	for i := 0; i+ss <= len(src); i += ss {
		n := (first + uint64(i/ss)) * uint64(ss/512)
		switch {
		case c.rk == nil:
			c.ref.Encrypt(dst[i:i+ss], src[i:i+ss], n)
			continue
		case c.rk2 != nil:
			xtsEncryptSectorVAES(c.rk, c.rk2, &dst[i], &src[i], ss/16, n)
			continue
		}
		var tweak [16]byte
		binary.LittleEndian.PutUint64(tweak[:], n)
		c.tweakKey.Encrypt(tweak[:], tweak[:])
		xtsEncryptBlocks(c.rk, &dst[i], &src[i], ss/16, &tweak)
	}
}

// decrypt decrypts src (whole sectors) into dst, the first being sector
// number first.
func (c *sectorCipher) decrypt(dst, src []byte, first uint64) {
	ss := c.sectorSize
	for i := 0; i+ss <= len(src); i += ss {
		c.ref.Decrypt(dst[i:i+ss], src[i:i+ss], (first+uint64(i/ss))*uint64(ss/512))
	}
}
