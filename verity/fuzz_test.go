package verity

import (
	"bytes"
	"testing"
)

func FuzzSuperblockRoundTrip(f *testing.F) {
	f.Add(4096, 4096, []byte("salt"), []byte("0123456789abcdef"), int64(12345))
	f.Add(512, 1024, []byte{}, make([]byte, 16), int64(1))
	f.Fuzz(func(t *testing.T, dbs, hbs int, salt, uuid []byte, blocks int64) {
		p := Params{DataBlockSize: dbs, HashBlockSize: hbs, Salt: salt}
		copy(p.UUID[:], uuid)
		if p.check() != nil || blocks <= 0 || blocks > 1<<40 {
			return
		}
		sb := superblock(p, uint64(blocks))
		q, n, err := ParseSuperblock(sb[:])
		if err != nil {
			t.Fatal(err)
		}
		if n != blocks || q.DataBlockSize != dbs || q.HashBlockSize != hbs || q.UUID != p.UUID || !bytes.Equal(q.Salt, salt) {
			t.Fatalf("round trip: %+v %d, want %+v %d", q, n, p, blocks)
		}
	})
}

func FuzzSignatureJSONRoundTrip(f *testing.F) {
	f.Add(testRootHash, []byte("cert"), []byte{0x30, 0x82, 1, 2})
	f.Fuzz(func(t *testing.T, root, cert, sig []byte) {
		part, err := SignatureJSON(root, cert, sig)
		if err != nil {
			return
		}
		si, err := ParseSignatureJSON(part)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(si.RootHash, root) || !bytes.Equal(si.Signature, sig) || (cert != nil) != (si.CertificateFingerprint != nil) {
			t.Fatalf("round trip: %+v", si)
		}
	})
}

func FuzzParseJoinSignature(f *testing.F) {
	f.Add("884f0d88f749599e839f3152c43d7244:base64:AQID")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		js, err := ParseJoinSignature(s)
		if err != nil {
			return
		}
		if len(js.RootHash) < 16 || len(js.Signature) == 0 || len(js.Signature) > SignatureSize {
			t.Fatalf("accepted %q: %+v", s, js)
		}
	})
}
