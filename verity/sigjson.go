package verity

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// SignatureSize is the fixed size of a verity signature partition
// (repart's VERITY_SIG_SIZE, repart.md §3.2, §5).
const SignatureSize = 16384

// SignatureJSON returns the content of a verity signature partition: the
// compact JSON object {"rootHash":…,"certificateFingerprint":…,"signature":…}
// (keys in repart's order; hex in lowercase; the fingerprint is the sha256 of
// the DER certificate; the signature is the DER PKCS#7 in standard base64)
// padded with NULs to SignatureSize bytes. repart leaves the fingerprint out
// only when built without OpenSSL; here it is left out when certDER is nil.
// The JSON plus its terminating NUL must fit in SignatureSize bytes.
func SignatureJSON(rootHash, certDER, sigDER []byte) ([]byte, error) {
	if len(rootHash) == 0 || len(sigDER) == 0 {
		return nil, errors.New("encoding verity signature JSON: empty root hash or signature")
	}
	var b bytes.Buffer
	b.WriteString(`{"rootHash":"`)
	b.WriteString(hex.EncodeToString(rootHash))
	if certDER != nil {
		fp := sha256.Sum256(certDER)
		b.WriteString(`","certificateFingerprint":"`)
		b.WriteString(hex.EncodeToString(fp[:]))
	}
	b.WriteString(`","signature":"`)
	b.WriteString(base64.StdEncoding.EncodeToString(sigDER))
	b.WriteString(`"}`)
	if b.Len()+1 > SignatureSize {
		return nil, fmt.Errorf("encoding verity signature JSON: %d bytes do not fit in the %d-byte partition", b.Len(), SignatureSize)
	}
	out := make([]byte, SignatureSize)
	copy(out, b.Bytes())
	return out, nil
}

// SignatureInfo is the content of a verity signature partition.
type SignatureInfo struct {
	RootHash               []byte
	CertificateFingerprint []byte // nil if absent
	Signature              []byte // DER PKCS#7
}

// ParseSignatureJSON reads the content of a verity signature partition (the
// JSON object up to the first NUL).
func ParseSignatureJSON(b []byte) (SignatureInfo, error) {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	var v struct {
		RootHash               string  `json:"rootHash"`
		CertificateFingerprint *string `json:"certificateFingerprint"`
		Signature              string  `json:"signature"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return SignatureInfo{}, fmt.Errorf("parsing verity signature JSON: %w", err)
	}
	var (
		si  SignatureInfo
		err error
	)
	if si.RootHash, err = hex.DecodeString(v.RootHash); err != nil {
		return SignatureInfo{}, fmt.Errorf("parsing verity signature rootHash: %w", err)
	}
	if v.CertificateFingerprint != nil {
		if si.CertificateFingerprint, err = hex.DecodeString(*v.CertificateFingerprint); err != nil {
			return SignatureInfo{}, fmt.Errorf("parsing verity signature certificateFingerprint: %w", err)
		}
	}
	if si.Signature, err = base64.StdEncoding.DecodeString(v.Signature); err != nil {
		return SignatureInfo{}, fmt.Errorf("parsing verity signature: %w", err)
	}
	return si, nil
}
