package luks

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"hash"
	"io"
)

// The anti-forensic information splitter of LUKS (cryptsetup lib/luks1/af.c,
// LUKS1 specification §2.4): a key of n bytes becomes stripes*n bytes, all
// of which are needed to recover it. Stripes 0..stripes-2 are random; the
// last is the key XOR the diffusion of the running XOR of the others.

// afHash returns the constructor of the splitter's diffusion hash.
func afHash(name string) (func() hash.Hash, error) {
	switch name {
	case "sha256":
		return sha256.New, nil
	case "sha512":
		return sha512.New, nil
	}
	return nil, fmt.Errorf("anti-forensic hash %q not supported", name)
}

// diffuse replaces buf by its diffusion: each digest-sized piece i becomes
// H(be32(i) || piece), the last shorter piece the prefix of its hash.
func diffuse(newHash func() hash.Hash, buf []byte) {
	h := newHash()
	ds := h.Size()
	var iv [4]byte
	sum := make([]byte, 0, ds)
	for i := 0; i*ds < len(buf); i++ {
		piece := buf[i*ds : min((i+1)*ds, len(buf))]
		binary.BigEndian.PutUint32(iv[:], uint32(i))
		h.Reset()
		h.Write(iv[:])
		h.Write(piece)
		sum = h.Sum(sum[:0])
		copy(piece, sum)
	}
}

// afSplit spreads key over stripes stripes taken from rand.
func afSplit(key []byte, stripes int, hashName string, rand io.Reader) ([]byte, error) {
	newHash, err := afHash(hashName)
	if err != nil {
		return nil, err
	}
	n := len(key)
	out := make([]byte, n*stripes)
	if _, err := io.ReadFull(rand, out[:n*(stripes-1)]); err != nil {
		return nil, fmt.Errorf("reading random stripes: %w", err)
	}
	acc := make([]byte, n)
	for i := 0; i < stripes-1; i++ {
		subtle.XORBytes(acc, acc, out[i*n:(i+1)*n])
		diffuse(newHash, acc)
	}
	subtle.XORBytes(out[(stripes-1)*n:], acc, key)
	return out, nil
}

// afMerge recovers a key of n bytes from its split material.
func afMerge(material []byte, n, stripes int, hashName string) ([]byte, error) {
	newHash, err := afHash(hashName)
	if err != nil {
		return nil, err
	}
	if len(material) < n*stripes {
		return nil, fmt.Errorf("split key material of %d bytes, want %d", len(material), n*stripes)
	}
	acc := make([]byte, n)
	for i := 0; i < stripes-1; i++ {
		subtle.XORBytes(acc, acc, material[i*n:(i+1)*n])
		diffuse(newHash, acc)
	}
	key := make([]byte, n)
	subtle.XORBytes(key, acc, material[(stripes-1)*n:stripes*n])
	return key, nil
}
