package verity

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"
)

// JoinSignature is one --join-signature=HASH:SIG argument: a root hash and
// its detached DER PKCS#7 signature made elsewhere.
type JoinSignature struct {
	RootHash  []byte
	Signature []byte
}

// ParseJoinSignature parses --join-signature=HASH:SIG as repart does: HASH
// is the hex root hash (at least 128 bits), SIG either "base64:" followed by
// the base64 DER signature or the path of a file holding it; the signature
// must be 1..SignatureSize bytes.
func ParseJoinSignature(s string) (JoinSignature, error) {
	hash, sig, ok := strings.Cut(s, ":")
	if !ok {
		return JoinSignature{}, fmt.Errorf("parsing --join-signature=%s: expected HASH:SIG", s)
	}
	var (
		js  JoinSignature
		err error
	)
	if b64, ok := strings.CutPrefix(sig, "base64:"); ok {
		b64 = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, b64)
		if js.Signature, err = base64.StdEncoding.DecodeString(b64); err != nil {
			return JoinSignature{}, fmt.Errorf("parsing root hash signature %q: %w", sig, err)
		}
	} else if js.Signature, err = os.ReadFile(sig); err != nil {
		return JoinSignature{}, fmt.Errorf("reading root hash signature file: %w", err)
	}
	if len(js.Signature) == 0 {
		return JoinSignature{}, errors.New("parsing --join-signature: empty verity signature")
	}
	if len(js.Signature) > SignatureSize {
		return JoinSignature{}, fmt.Errorf("parsing --join-signature: signature of %d bytes, at most %d allowed", len(js.Signature), SignatureSize)
	}
	if js.RootHash, err = hex.DecodeString(hash); err != nil {
		return JoinSignature{}, fmt.Errorf("parsing root hash %q: %w", hash, err)
	}
	if len(js.RootHash) < 16 {
		return JoinSignature{}, fmt.Errorf("parsing root hash %q: must be at least 128 bits long", hash)
	}
	return js, nil
}

// MatchJoinSignature finds the joined signature for a verity pair the way
// repart does: by the root hash rebuilt from the data and hash partition
// UUIDs (data UUID ‖ hash UUID, which are the two halves of a sha256 root
// hash). The first match wins, as repart keeps the first of duplicates.
func MatchJoinSignature(sigs []JoinSignature, dataUUID, hashUUID [16]byte) (JoinSignature, bool) {
	if dataUUID == ([16]byte{}) || hashUUID == ([16]byte{}) {
		return JoinSignature{}, false
	}
	key := append(dataUUID[:], hashUUID[:]...)
	for _, s := range sigs {
		if bytes.Equal(s.RootHash, key) {
			return s, true
		}
	}
	return JoinSignature{}, false
}
